import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/decode.ts';
import { readImageHeader } from '../src/image-header.ts';
import { encodePng } from '../src/png-folders.ts';
import { pngClaiming } from './fixtures.ts';

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
