import type { DecodedImage } from '@twinnet/core';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);

/**
 * Decodes a PNG or JPEG (recognised by its first bytes, not its name) to RGBA pixels. Throws a one-line reason
 * for anything else; callers add the file name.
 */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  let image: { width: number; height: number; data: Uint8Array };
  if (startsWith(bytes, PNG_SIGNATURE)) {
    // The header's size first: pngjs reports a 0-pixel image as bad inflate data, which says nothing useful.
    if (bytes.length >= 24) {
      const header = new DataView(bytes.buffer, bytes.byteOffset, 24);
      const [width, height] = [header.getUint32(16), header.getUint32(20)];
      if (width === 0 || height === 0) throw new Error(`image has zero size (${width}×${height})`);
    }
    try {
      image = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new Error(`corrupt or truncated PNG (${(error as Error).message})`);
    }
  } else if (startsWith(bytes, JPEG_SIGNATURE)) {
    try {
      // The limits turn a hostile or corrupt header into an error instead of a huge allocation.
      image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: 100,
        maxMemoryUsageInMB: 1024,
      });
    } catch (error) {
      throw new Error(`corrupt or truncated JPEG (${(error as Error).message})`);
    }
  } else {
    throw new Error('not a PNG or JPEG image');
  }
  if (!(image.width > 0 && image.height > 0))
    throw new Error(`image has zero size (${image.width}×${image.height})`);
  return {
    data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    width: image.width,
    height: image.height,
    channels: 4,
  };
}
