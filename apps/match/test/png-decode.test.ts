import { crc32 } from 'node:zlib';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DECODE_CAP, decodePng } from '../src/png-decode.ts';
import { reductionFactor } from '../src/png-rows.ts';
import { encodeRawPng, LAYOUTS, randomPng } from './png-encoder.ts';

const viaPngjs = (bytes: Uint8Array) => pngjs.PNG.sync.read(Buffer.from(bytes));

/** The reference for a reduced decode: pngjs's pixels, box-averaged by `f`. */
function boxAverage(data: Uint8Array, width: number, height: number, f: number): Uint8Array {
  const [w, h] = [Math.ceil(width / f), Math.ceil(height / f)];
  const out = new Uint8Array(w * h * 4);
  for (let by = 0; by < h; by++)
    for (let bx = 0; bx < w; bx++)
      for (let c = 0; c < 4; c++) {
        let [sum, n] = [0, 0];
        for (let y = by * f; y < Math.min(height, by * f + f); y++)
          for (let x = bx * f; x < Math.min(width, bx * f + f); x++, n++)
            sum += data[(y * width + x) * 4 + c]!;
        out[(by * w + bx) * 4 + c] = Math.round(sum / n);
      }
  return out;
}

describe('decodePng', () => {
  it('gives exactly the pixels pngjs gives, for every colour type, depth, filter and interlace', () => {
    let seed = 1;
    for (const layout of LAYOUTS) {
      for (const interlace of [false, true]) {
        const bytes = encodeRawPng(randomPng(layout, interlace, seed++));
        const expected = viaPngjs(bytes);
        const decoded = decodePng(bytes);
        expect({ layout, interlace, width: decoded.width, factor: decoded.factor }).toEqual({
          layout,
          interlace,
          width: 13,
          factor: 1,
        });
        expect(Buffer.from(decoded.data).equals(Buffer.from(expected.data))).toBe(true);
      }
    }
  });

  it('box-averages an image over the cap by a whole factor while reading its rows', () => {
    expect(reductionFactor(4096, 4096, DECODE_CAP)).toBe(2);
    expect(reductionFactor(2048, 2048, DECODE_CAP)).toBe(1);
    expect(reductionFactor(10_000, 10_000, DECODE_CAP)).toBe(5);
    let seed = 100;
    for (const layout of [LAYOUTS[4]!, LAYOUTS[10]!, LAYOUTS[14]!]) {
      for (const interlace of [false, true]) {
        const size = { width: 37, height: 23 };
        const bytes = encodeRawPng(randomPng(layout, interlace, seed++, size));
        const expected = viaPngjs(bytes);
        // 37 × 23 = 851 pixels; a cap of 104 takes a factor of 3: 13 × 8.
        const decoded = decodePng(bytes, 104);
        expect([decoded.width, decoded.height, decoded.factor]).toEqual([13, 8, 3]);
        expect(Buffer.from(decoded.data).equals(Buffer.from(boxAverage(expected.data, 37, 23, 3)))).toBe(
          true,
        );
      }
    }
  });

  it('names what is wrong: a CRC mismatch, a truncation, a bad filter or palette index', () => {
    const good = encodeRawPng(randomPng(LAYOUTS[3]!, false, 7));
    const flipped = Uint8Array.from(good);
    flipped[good.length - 20]! ^= 0x40; // inside the IDAT data
    expect(() => decodePng(flipped)).toThrow('corrupt PNG: CRC mismatch in chunk IDAT');
    expect(() => decodePng(good.subarray(0, good.length - 30))).toThrow(
      /^corrupt or truncated PNG: chunk IDAT is cut short$/,
    );
    expect(() => decodePng(good.subarray(0, 40))).toThrow(/^corrupt or truncated PNG: /);
    const badFilter = encodeRawPng({ ...randomPng(LAYOUTS[3]!, false, 8), filter: (r) => (r === 2 ? 9 : 0) });
    expect(() => decodePng(badFilter)).toThrow('corrupt PNG: unknown filter type 9 in row 2 of its pass');
    const outside = encodeRawPng({
      width: 2,
      height: 1,
      colorType: 3,
      bitDepth: 8,
      interlace: false,
      palette: new Uint8Array(6),
      sample: (x) => x * 5,
    });
    expect(() => decodePng(outside)).toThrow('corrupt PNG: pixel index 5 is not in the 2-colour palette');
  });

  it('checks the CRC of every chunk, so a damaged header is not read as a size', () => {
    const good = encodeRawPng(randomPng(LAYOUTS[3]!, false, 9));
    const header = Uint8Array.from(good);
    header[18] = 0x7f; // the width grows by 0x7f00 pixels; the CRC is left as it was
    expect(() => decodePng(header)).toThrow('corrupt PNG: CRC mismatch in chunk IHDR');
    // Recomputing the CRC makes it a valid header of another size, whose data then runs short.
    const view = new DataView(header.buffer);
    view.setUint32(29, crc32(header.subarray(12, 29)));
    expect(() => decodePng(header)).toThrow(
      'corrupt or truncated PNG: the image data ends after 0 of its 11 rows',
    );
  });
});
