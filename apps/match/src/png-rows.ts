// The rows of a PNG as they are inflated: unfiltered one at a time (only it and the row before it are kept),
// turned into 8-bit RGBA as pngjs does, and written to the output, box-averaged when the image is over the cap.
import { type DecodedPng, type PixelFormat, PngError, type PngHeader } from './png-decode.ts';

interface Pass {
  /** First column and row of the pass, and the steps between its pixels (Adam7; one pass of 0, 0, 1, 1 without). */
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The smallest whole factor that brings width × height within `cap` pixels. */
export function reductionFactor(width: number, height: number, cap: number): number {
  let f = 1;
  while (Math.ceil(width / f) * Math.ceil(height / f) > cap) f++;
  return f;
}

export class Rows {
  private readonly passes: Pass[];
  private readonly bitsPerPixel: number;
  /** Bytes a filter looks back: one pixel, at least one byte. */
  private readonly step: number;
  private readonly factor: number;
  private readonly outWidth: number;
  private readonly outHeight: number;
  private readonly out: Uint8Array;
  /** Sums of RGBA per output pixel while reducing: one band of output rows, or all of them when interlaced. */
  private readonly sums: Uint32Array | undefined;
  private band = 0;
  private pass = 0;
  private row = 0;
  private filled = 0;
  private current = new Uint8Array(0);
  private previous = new Uint8Array(0);
  /** One row of a pass as RGBA, before it goes to the output. */
  private readonly rowRgba: Uint8Array;

  constructor(
    private readonly header: PngHeader,
    private readonly format: PixelFormat,
    cap: number,
  ) {
    const { width, height } = header;
    this.passes = (header.interlaced ? ADAM7 : [[0, 0, 1, 1] as const])
      .map(([x0, y0, dx, dy]) => ({
        x0,
        y0,
        dx,
        dy,
        width: Math.ceil((width - x0) / dx),
        height: Math.ceil((height - y0) / dy),
      }))
      .filter((p) => p.width > 0 && p.height > 0);
    this.bitsPerPixel = format.samples * header.bitDepth;
    this.step = Math.max(1, this.bitsPerPixel >> 3);
    this.rowRgba = new Uint8Array(width * 4);
    this.factor = reductionFactor(width, height, cap);
    this.outWidth = Math.ceil(width / this.factor);
    this.outHeight = Math.ceil(height / this.factor);
    this.out = new Uint8Array(this.outWidth * this.outHeight * 4);
    if (this.factor > 1)
      this.sums = new Uint32Array(this.outWidth * (header.interlaced ? this.outHeight : 1) * 4);
    this.startPass();
  }

  get complete(): boolean {
    return this.pass >= this.passes.length;
  }

  describeProgress(): string {
    const total = this.passes.reduce((n, p) => n + p.height, 0);
    const done = this.passes.slice(0, this.pass).reduce((n, p) => n + p.height, 0) + this.row;
    return `${done} of its ${total} rows`;
  }

  /** Takes inflated bytes; whatever comes after the last row is ignored. */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.complete) {
      const n = Math.min(chunk.length - i, this.current.length - this.filled);
      this.current.set(chunk.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.current.length) this.finishRow();
    }
  }

  result(): DecodedPng {
    if (this.sums && !this.header.interlaced) this.flushBand();
    if (this.sums && this.header.interlaced) this.average(this.sums, 0, this.outHeight);
    return { width: this.outWidth, height: this.outHeight, data: this.out, factor: this.factor };
  }

  private startPass(): void {
    const pass = this.passes[this.pass];
    if (!pass) return;
    const bytes = 1 + Math.ceil((pass.width * this.bitsPerPixel) / 8);
    this.current = new Uint8Array(bytes);
    this.previous = new Uint8Array(bytes);
    this.row = 0;
    this.filled = 0;
  }

  private finishRow(): void {
    unfilter(this.current, this.previous, this.step, this.row);
    this.emit(this.passes[this.pass]!, this.row);
    [this.previous, this.current] = [this.current, this.previous];
    this.filled = 0;
    if (++this.row === this.passes[this.pass]!.height) {
      this.pass++;
      this.startPass();
    }
  }

  /** One unfiltered row of a pass, into the output (or its sums). */
  private emit(pass: Pass, row: number): void {
    const y = pass.y0 + row * pass.dy;
    const f = this.factor;
    const rgba = this.rowRgba;
    toRgba(this.current, pass.width, this.header, this.format, rgba);
    if (!this.sums) {
      if (pass.dx === 1) this.out.set(rgba.subarray(0, pass.width * 4), y * this.outWidth * 4);
      else
        for (let i = 0; i < pass.width; i++)
          this.out.set(rgba.subarray(i * 4, i * 4 + 4), (y * this.outWidth + pass.x0 + i * pass.dx) * 4);
      return;
    }
    if (!this.header.interlaced && Math.floor(y / f) !== this.band) this.flushBand();
    const base = this.header.interlaced ? Math.floor(y / f) * this.outWidth * 4 : 0;
    const sums = this.sums;
    for (let i = 0; i < pass.width; i++) {
      const at = base + Math.floor((pass.x0 + i * pass.dx) / f) * 4;
      sums[at]! += rgba[i * 4]!;
      sums[at + 1]! += rgba[i * 4 + 1]!;
      sums[at + 2]! += rgba[i * 4 + 2]!;
      sums[at + 3]! += rgba[i * 4 + 3]!;
    }
  }

  /** Writes the averaged band of output rows finished so far (non-interlaced reduction). */
  private flushBand(): void {
    this.average(this.sums!, this.band, this.band + 1);
    this.sums!.fill(0);
    this.band++;
  }

  /** Output rows [from, to) from sums (a band's, or all of them), each pixel the mean of its box. */
  private average(sums: Uint32Array, from: number, to: number): void {
    const { width, height } = this.header;
    const f = this.factor;
    for (let by = from; by < to; by++) {
      const rows = Math.min(f, height - by * f);
      const base = this.header.interlaced ? by * this.outWidth * 4 : 0;
      for (let bx = 0; bx < this.outWidth; bx++) {
        const count = rows * Math.min(f, width - bx * f);
        for (let c = 0; c < 4; c++)
          this.out[(by * this.outWidth + bx) * 4 + c] = Math.round(sums[base + bx * 4 + c]! / count);
      }
    }
  }
}

/**
 * The first `width` pixels of an unfiltered row (filter byte first) as 8-bit RGBA, the way pngjs makes them:
 * palette lookups, a tRNS colour made wholly transparent black (compared at the file's depth), other depths
 * scaled to 8 bits. One loop over the row, with no closures: it runs for every pixel.
 */
function toRgba(
  row: Uint8Array,
  width: number,
  header: PngHeader,
  format: PixelFormat,
  out: Uint8Array,
): void {
  const { bitDepth: depth, colorType } = header;
  const { samples, palette, transparent } = format;
  const max = 2 ** depth - 1;
  const grey = colorType === 0 || colorType === 4;
  const alpha = colorType === 4 ? 1 : colorType === 6 ? 3 : -1;
  for (let i = 0, k = 0, o = 0; i < width; i++, k += samples, o += 4) {
    if (palette) {
      const index = readSample(row, k, depth);
      if (index * 4 >= palette.length)
        throw new PngError(
          `corrupt PNG: pixel index ${index} is not in the ${palette.length / 4}-colour palette`,
        );
      out[o] = palette[index * 4]!;
      out[o + 1] = palette[index * 4 + 1]!;
      out[o + 2] = palette[index * 4 + 2]!;
      out[o + 3] = palette[index * 4 + 3]!;
      continue;
    }
    const r = readSample(row, k, depth);
    const g = grey ? r : readSample(row, k + 1, depth);
    const b = grey ? r : readSample(row, k + 2, depth);
    const a = alpha < 0 ? max : readSample(row, k + alpha, depth);
    if (transparent && r === transparent[0] && (grey || (g === transparent[1] && b === transparent[2]))) {
      out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      continue;
    }
    out[o] = scaleSample(r, depth, max);
    out[o + 1] = scaleSample(g, depth, max);
    out[o + 2] = scaleSample(b, depth, max);
    out[o + 3] = scaleSample(a, depth, max);
  }
}

/** A sample at the file's depth as 8 bits, rounded as pngjs rounds. */
function scaleSample(v: number, depth: number, max: number): number {
  return depth === 8 ? v : Math.floor((v * 255) / max + 0.5);
}

/** Sample `k` of a row (after its filter byte) at 1, 2, 4, 8 or 16 bits. */
function readSample(row: Uint8Array, k: number, depth: number): number {
  if (depth === 8) return row[1 + k]!;
  if (depth === 16) return (row[1 + 2 * k]! << 8) | row[2 + 2 * k]!;
  const bit = k * depth;
  return (row[1 + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** Undoes the row's filter in place (PNG spec 9.2), given the previous unfiltered row of its pass. */
function unfilter(row: Uint8Array, previous: Uint8Array, step: number, index: number): void {
  const type = row[0]!;
  const n = row.length;
  if (type === 0) return;
  if (type > 4) throw new PngError(`corrupt PNG: unknown filter type ${type} in row ${index} of its pass`);
  for (let i = 1; i < n; i++) {
    const left = i > step ? row[i - step]! : 0;
    const up = previous[i]!;
    if (type === 1) row[i] = (row[i]! + left) & 0xff;
    else if (type === 2) row[i] = (row[i]! + up) & 0xff;
    else if (type === 3) row[i] = (row[i]! + ((left + up) >> 1)) & 0xff;
    else {
      const upLeft = i > step ? previous[i - step]! : 0;
      row[i] = (row[i]! + paeth(left, up, upLeft)) & 0xff;
    }
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
