import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/decode.ts';
import { readImageHeader } from '../src/image-header.ts';
import { decodeJpeg, scaledSize } from '../src/jpeg-decode.ts';
import { encodePng } from '../src/png-folders.ts';
import { pngClaiming, squarePng } from './fixtures.ts';

/** A small real JPEG whose frame header is then edited to claim width × height. */
function jpegClaiming(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(
    jpeg.encode({ data: Buffer.alloc(16 * 16 * 4, 128), width: 16, height: 16 }, 90).data,
  );
  const view = new DataView(bytes.buffer);
  for (let p = 2; p < bytes.length; p += 2 + view.getUint16(p + 2)) {
    if (bytes[p + 1] === 0xc0) {
      view.setUint16(p + 5, height);
      view.setUint16(p + 7, width);
      return bytes;
    }
  }
  throw new Error('no SOF0 in the encoded JPEG');
}

describe('image headers', () => {
  it('read the size of PNGs and JPEGs without decoding them', () => {
    expect(readImageHeader(encodePng(new Uint8Array(30 * 20), 30, 20))).toEqual({
      format: 'PNG',
      width: 30,
      height: 20,
    });
    expect(readImageHeader(jpegClaiming(1234, 567))).toEqual({ format: 'JPEG', width: 1234, height: 567 });
    expect(() => readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toThrow(/no frame header/);
    expect(() => readImageHeader(encodePng(new Uint8Array(784)).subarray(0, 20))).toThrow(/no IHDR header/);
  });

  it('refuse images over the pixel limit before any decoding', () => {
    expect(() => decodeImage(pngClaiming(20000, 20000))).toThrow(
      '20000×20000 is 400.0 megapixels, over the limit of 16777216 pixels: shrink the image, or raise the limit with --max-pixels',
    );
    expect(() => decodeImage(jpegClaiming(20000, 20000))).toThrow(/20000×20000 is 400\.0 megapixels/);
    expect(() => decodeImage(encodePng(new Uint8Array(784)), { maxPixels: 783 })).toThrow(
      /over the limit of 783/,
    );
    // At the limit, decoded as before.
    expect(decodeImage(encodePng(new Uint8Array(784)), { maxPixels: 784 })).toMatchObject({
      width: 28,
      height: 28,
    });
    expect(decodeImage(jpegClaiming(16, 16))).toMatchObject({ width: 16, height: 16, channels: 4 });
  });
});

describe('decoding large images', () => {
  it('box-averages a picture over 2048×2048 pixels while reading it: the 4096×4096 16-bit RGBA PNG the defaults accept', async () => {
    const image = decodeImage(await squarePng(4096, 4096, 'rgba16'));
    expect([image.width, image.height, image.channels]).toEqual([2048, 2048, 4]);
    // Half-size, each pixel the mean of a 2×2 box; the ink covers columns and rows 1365 to 2729.
    const at = (x: number, y: number) =>
      Array.from(image.data.subarray((y * 2048 + x) * 4, (y * 2048 + x) * 4 + 4));
    expect(at(0, 0)).toEqual([255, 255, 255, 255]);
    expect(at(1024, 1024)).toEqual([0, 0, 0, 255]);
    expect(at(682, 1024)).toEqual([128, 128, 128, 255]); // columns 1364 (paper) and 1365 (ink)
    expect(at(1364, 1024)).toEqual([0, 0, 0, 255]); // columns 2728 and 2729
    expect(at(1365, 1024)).toEqual([255, 255, 255, 255]); // columns 2730 and 2731
  });

  it('refuses a side over 65535 pixels, JPEG’s own limit, whatever --max-pixels allows', () => {
    expect(() => decodeImage(pngClaiming(70_000, 10), { maxPixels: 100_000_000 })).toThrow(
      "70000×10 has a side over 65535 pixels, JPEG's own limit: crop or shrink it",
    );
  });

  it('names a PNG with a bad CRC as corrupt, not in the inflater’s words', () => {
    const bytes = Uint8Array.from(encodePng(new Uint8Array(784).fill(200)));
    bytes[bytes.length - 20]! ^= 0x01; // a bit of the IDAT data; its CRC is left as it was
    expect(() => decodeImage(bytes)).toThrow('corrupt PNG: CRC mismatch in chunk IDAT');
  });
});

/** A 64×64 JPEG: white, with a black 32×32 square in the middle. */
function squareJpeg(): Uint8Array {
  const rgba = Buffer.alloc(64 * 64 * 4, 255);
  for (let y = 16; y < 48; y++)
    for (let x = 16; x < 48; x++) rgba.fill(0, (y * 64 + x) * 4, (y * 64 + x) * 4 + 3);
  return new Uint8Array(jpeg.encode({ data: rgba, width: 64, height: 64 }, 95).data);
}

describe('JPEG decoding', () => {
  it('gives the pixels jpeg-js gives, within JPEG rounding', () => {
    const bytes = squareJpeg();
    const ours = decodeImage(bytes);
    const theirs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    expect([ours.width, ours.height]).toEqual([64, 64]);
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++)
      worst = Math.max(worst, Math.abs(ours.data[i]! - theirs.data[i]!));
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('scales a picture over the cap down in the decoder, by libjpeg-turbo’s eighths', () => {
    expect(scaledSize(4096, 4096, 2048 * 2048)).toEqual({ width: 2048, height: 2048 });
    expect(scaledSize(2100, 2100, 2048 * 2048)).toEqual({ width: 1838, height: 1838 }); // 7/8
    // 1/4 would be 2500 × 2500, over the cap: 1/8.
    expect(scaledSize(10_000, 10_000, 2048 * 2048)).toEqual({ width: 1250, height: 1250 });
    const small = decodeJpeg(squareJpeg(), 1000, 1e8);
    // 64 × 64 = 4096 pixels; 3/8 is the largest eighth within 1000: 24 × 24.
    expect([small.width, small.height]).toEqual([24, 24]);
    const at = (x: number, y: number) => small.data[(y * 24 + x) * 4]!;
    expect(at(12, 12)).toBeLessThan(20);
    expect(at(1, 1)).toBeGreaterThan(235);
  });

  it('names a damaged JPEG and decodes the next file as if nothing happened', () => {
    const bytes = squareJpeg();
    const cut = bytes.subarray(0, 200);
    expect(() => decodeImage(cut)).toThrow(/^corrupt or truncated JPEG \(/);
    const garbled = Uint8Array.from(bytes);
    for (let i = 300; i < garbled.length - 2; i += 7) garbled[i] = 0xff;
    expect(() => decodeImage(garbled)).toThrow(/^corrupt or truncated JPEG \(/);
    expect(decodeImage(bytes)).toMatchObject({ width: 64, height: 64 });
  });
});
