import { crc32, deflateSync } from 'node:zlib';
import { createRng } from '@twinnet/core';
import { pngChunk } from './fixtures.ts';

/** Every PNG layout: colour type, bit depth, interlace, palette and tRNS, filled by a sample function. */
export interface RawPng {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  interlace: boolean;
  /** The samples of pixel (x, y) at the file's depth: grey; RGB; an index; grey + alpha; RGBA. */
  sample: (x: number, y: number, channel: number) => number;
  /** Colour type 3: RGB triples. */
  palette?: Uint8Array;
  /** The tRNS chunk's bytes, if any. */
  trns?: Uint8Array;
  /** The filter type (0–4) of each row; default 0. */
  filter?: (row: number) => number;
}

const SAMPLES = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The filtered scanlines, pass by pass, that the IDAT stream inflates to. */
export function scanlines(png: RawPng): Uint8Array {
  const samples = SAMPLES[png.colorType];
  const bits = samples * png.bitDepth;
  const step = Math.max(1, bits >> 3);
  const passes = png.interlace ? ADAM7 : [[0, 0, 1, 1] as const];
  const out: number[] = [];
  let rowIndex = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((png.width - x0) / dx);
    const h = Math.ceil((png.height - y0) / dy);
    if (w <= 0 || h <= 0) continue;
    let previous = new Uint8Array(Math.ceil((w * bits) / 8));
    for (let r = 0; r < h; r++) {
      const raw = new Uint8Array(previous.length);
      for (let i = 0; i < w; i++) {
        for (let s = 0; s < samples; s++) {
          writeSample(raw, i * samples + s, png.bitDepth, png.sample(x0 + i * dx, y0 + r * dy, s));
        }
      }
      const type = png.filter?.(rowIndex++) ?? 0;
      out.push(type, ...filterRow(raw, previous, step, type));
      previous = raw;
    }
  }
  return Uint8Array.from(out);
}

/** A complete PNG file; `idat` replaces the compressed scanlines (to damage them and still deflate them). */
export function encodeRawPng(png: RawPng, idat: Uint8Array = deflateSync(scanlines(png))): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(png.width, 0);
  ihdr.writeUInt32BE(png.height, 4);
  ihdr.set([png.bitDepth, png.colorType, 0, 0, png.interlace ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(png.palette ? [pngChunk('PLTE', png.palette)] : []),
    ...(png.trns ? [pngChunk('tRNS', png.trns)] : []),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Every complete chunk's CRC made right again: damage then reaches the decoder past its CRC check. */
export function fixCrcs(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  for (let p = 8; p + 12 <= out.length; ) {
    const length = view.getUint32(p);
    if (length > out.length - p - 12) break;
    view.setUint32(p + 8 + length, crc32(out.subarray(p + 4, p + 8 + length)));
    p += 12 + length;
  }
  return out;
}

function writeSample(row: Uint8Array, k: number, depth: number, value: number): void {
  if (depth === 8) row[k] = value;
  else if (depth === 16) {
    row[2 * k] = value >> 8;
    row[2 * k + 1] = value & 0xff;
  } else {
    const bit = k * depth;
    row[bit >> 3]! |= (value & ((1 << depth) - 1)) << (8 - depth - (bit & 7));
  }
}

function filterRow(raw: Uint8Array, previous: Uint8Array, step: number, type: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const left = i >= step ? raw[i - step]! : 0;
    const up = previous[i]!;
    const upLeft = i >= step ? previous[i - step]! : 0;
    const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][type]!;
    out[i] = (raw[i]! - predictor) & 0xff;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

type Layout = Pick<RawPng, 'colorType' | 'bitDepth'>;
const layouts = (colorType: Layout['colorType'], depths: Layout['bitDepth'][]): Layout[] =>
  depths.map((bitDepth) => ({ colorType, bitDepth }));
/** Grey 1–16 bits (0–4), RGB (5–6), palette 1–8 bits (7–10), grey + alpha (11–12), RGBA (13–14). */
export const LAYOUTS: Layout[] = [
  ...layouts(0, [1, 2, 4, 8, 16]),
  ...layouts(2, [8, 16]),
  ...layouts(3, [1, 2, 4, 8]),
  ...layouts(4, [8, 16]),
  ...layouts(6, [8, 16]),
];

/** A seeded image of every layout, with a palette and a tRNS chunk where the layout has them. */
export function randomPng(
  layout: Layout,
  interlace: boolean,
  seed: number,
  size = { width: 13, height: 11 },
): RawPng {
  const rng = createRng(seed);
  const max = 2 ** layout.bitDepth - 1;
  const colours = layout.colorType === 3 ? 1 + rng.int(max + 1) : 0;
  const values = new Map<string, number>();
  // A few values repeat, so a tRNS colour really occurs.
  const sample = (x: number, y: number, c: number) => {
    const key = `${x},${y},${c}`;
    if (!values.has(key))
      values.set(key, layout.colorType === 3 ? rng.int(colours) : rng.int(4) === 0 ? 0 : rng.int(max + 1));
    return values.get(key)!;
  };
  const palette = colours ? Uint8Array.from({ length: colours * 3 }, () => rng.int(256)) : undefined;
  const trns =
    layout.colorType === 3
      ? Uint8Array.from({ length: rng.int(colours + 1) }, () => rng.int(256))
      : layout.colorType === 0
        ? Uint8Array.from([0, 0])
        : layout.colorType === 2
          ? new Uint8Array(6)
          : undefined;
  return {
    ...size,
    ...layout,
    interlace,
    sample,
    ...(palette ? { palette } : {}),
    ...(trns ? { trns } : {}),
    filter: () => rng.int(5),
  };
}
