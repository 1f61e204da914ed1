// A PNG decoder that reads the image a row at a time and, for a picture larger than DECODE_CAP pixels,
// box-averages it by a whole factor as the rows arrive: memory follows the (reduced) output, never the file's
// claimed size. pngjs held the inflated data, the unfiltered data and the RGBA result at once: a 130 kB 4096×4096
// 16-bit RGBA PNG peaked at 759 MB. Pixels come out as 8-bit RGBA exactly as pngjs gives them (same depth
// scaling, palette and tRNS rules), and every chunk's CRC is checked, so corruption is named as such.
import { crc32 } from 'node:zlib';
import { Unzlib } from 'fflate';
import { Rows } from './png-rows.ts';

/** At most this many pixels are kept (2048 × 2048): ample for a figure that is then scaled to 20 pixels. */
export const DECODE_CAP = 2048 * 2048;

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 8 bits a sample; width and height are the reduced size when `factor` > 1. */
  data: Uint8Array;
  /** Each output pixel averages factor × factor pixels of the file (fewer at the right and bottom edges). */
  factor: number;
}

/** A PNG the decoder refuses: the message says what is wrong, the caller adds the file. */
export class PngError extends Error {
  override name = 'PngError';
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** IDAT data is inflated this many bytes at a time, so one push yields at most ~16 MB (deflate's 1032:1). */
const INFLATE_SLICE = 16 * 1024;

/** Decodes a whole PNG file; throws PngError with a one-line reason. */
export function decodePng(bytes: Uint8Array, cap = DECODE_CAP): DecodedPng {
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new PngError('not a PNG image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let rows: Rows | undefined;
  let inflater: Unzlib | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  let p = SIGNATURE.length;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) throw truncated(`a chunk header is cut short at byte ${p}`);
    const length = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw corrupt(`bytes ${p + 4}–${p + 7} are not a chunk type`);
    if (length > bytes.length - p - 12) throw truncated(`chunk ${type} is cut short`);
    const data = bytes.subarray(p + 8, p + 8 + length);
    if (crc32(bytes.subarray(p + 4, p + 8 + length)) !== view.getUint32(p + 8 + length))
      throw corrupt(`CRC mismatch in chunk ${type}`);
    p += 12 + length;
    if (!header) {
      if (type !== 'IHDR') throw corrupt(`the first chunk is ${type}, not IHDR`);
      header = parseHeader(data);
      continue;
    }
    if (type === 'IEND') break;
    if (type === 'PLTE') palette = parsePalette(data, header);
    else if (type === 'tRNS') transparency = data.slice();
    else if (type === 'IDAT') {
      if (!rows) {
        rows = new Rows(header, pixelFormat(header, palette, transparency), cap);
        inflater = new Unzlib((chunk) => rows!.push(chunk));
      }
      for (let s = 0; s < data.length; s += INFLATE_SLICE)
        push(inflater!, data.subarray(s, s + INFLATE_SLICE));
    } else if (type === 'IHDR') throw corrupt('a second IHDR chunk');
    else if (!(type.charCodeAt(0) & 0x20)) throw corrupt(`unknown critical chunk ${type}`);
  }
  if (!header) throw truncated('no IHDR chunk');
  if (!rows || !inflater) throw truncated('no image data (IDAT chunk)');
  push(inflater, new Uint8Array(0), true);
  if (!rows.complete) throw truncated(`the image data ends after ${rows.describeProgress()}`);
  return rows.result();
}

function push(inflater: Unzlib, chunk: Uint8Array, final = false): void {
  try {
    inflater.push(chunk, final);
  } catch (error) {
    if (error instanceof PngError) throw error;
    // fflate's own words ("invalid block type", "unexpected EOF"), with what they mean here.
    throw corrupt(`the compressed image data is damaged (${(error as Error).message})`);
  }
}

const corrupt = (what: string) => new PngError(`corrupt PNG: ${what}`);
const truncated = (what: string) => new PngError(`corrupt or truncated PNG: ${what}`);

function parseHeader(data: Uint8Array): PngHeader {
  if (data.length !== 13) throw corrupt(`IHDR holds ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8, 13);
  if (width === 0 || height === 0) throw new PngError(`image has zero size (${width}×${height})`);
  if (width > 2 ** 31 - 1 || height > 2 ** 31 - 1) throw corrupt(`IHDR claims ${width}×${height} pixels`);
  if (!DEPTHS[colorType!]) throw corrupt(`IHDR: colour type ${colorType} does not exist`);
  if (!DEPTHS[colorType!]!.includes(bitDepth!))
    throw corrupt(`IHDR: bit depth ${bitDepth} is not allowed with colour type ${colorType}`);
  if (compression !== 0 || filter !== 0 || interlace! > 1)
    throw corrupt(
      `IHDR: unknown compression, filter or interlace method (${compression}, ${filter}, ${interlace})`,
    );
  return { width, height, bitDepth: bitDepth!, colorType: colorType!, interlaced: interlace === 1 };
}

function parsePalette(data: Uint8Array, header: PngHeader): Uint8Array {
  if (data.length % 3 !== 0 || data.length === 0 || data.length > 3 * 256)
    throw corrupt(`PLTE holds ${data.length} bytes, not 3 for each of 1 to 256 colours`);
  if (header.colorType === 3 && data.length / 3 > 2 ** header.bitDepth)
    throw corrupt(`PLTE has ${data.length / 3} colours, more than ${header.bitDepth}-bit indices reach`);
  return data.slice();
}

/** How to turn one sample row into RGBA: samples per pixel, and the colour lookups. */
export interface PixelFormat {
  samples: number;
  /** colour type 3: RGBA per palette index (tRNS alpha, else 255). */
  palette?: Uint8Array;
  /** colour types 0 and 2: the sample values (at the file's depth) that are transparent. */
  transparent?: number[];
}

function pixelFormat(header: PngHeader, palette?: Uint8Array, trns?: Uint8Array): PixelFormat {
  const samples = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[header.colorType]!;
  if (header.colorType === 3) {
    if (!palette) throw corrupt('a palette image without a PLTE chunk before its data');
    const colours = palette.length / 3;
    const rgba = new Uint8Array(colours * 4);
    for (let i = 0; i < colours; i++) {
      rgba.set(palette.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = trns && i < trns.length ? trns[i]! : 255;
    }
    return { samples, palette: rgba };
  }
  const wanted = header.colorType === 0 ? 2 : header.colorType === 2 ? 6 : 0;
  if (!trns || wanted === 0 || trns.length < wanted) return { samples };
  const view = new DataView(trns.buffer, trns.byteOffset, trns.byteLength);
  return { samples, transparent: Array.from({ length: wanted / 2 }, (_, i) => view.getUint16(2 * i)) };
}
