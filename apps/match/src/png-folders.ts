import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pngjs from 'pngjs';

/** Encodes a 28×28 grey image (bright on dark, as in the dataset) as an 8-bit greyscale PNG. */
export function encodePng(image: Uint8Array, width = 28, height = 28): Uint8Array {
  const png = new pngjs.PNG({ width, height });
  for (let p = 0; p < width * height; p++) png.data.set([image[p]!, image[p]!, image[p]!, 255], p * 4);
  return pngjs.PNG.sync.write(png, { colorType: 0 });
}

/** Writes n × 784 images as dir/<prefix>-<i>.png, one file each. */
export async function writePngs(dir: string, images: Uint8Array, prefix: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const count = images.length / 784;
  for (let i = 0; i < count; i++) {
    await writeFile(
      join(dir, `${prefix}-${String(i).padStart(5, '0')}.png`),
      encodePng(images.subarray(i * 784, (i + 1) * 784)),
    );
  }
}
