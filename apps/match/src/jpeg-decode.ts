// JPEG decoding with libjpeg-turbo compiled to WebAssembly (the @cwasm/jpeg-turbo build), asking it to scale
// down in the DCT while decoding: a picture over the cap comes out at 1/2, 1/4 or 1/8 of its size (or another
// eighth) without the full-size one ever existing. jpeg-js, used before, held every 8×8 block as its own typed
// array: a 4096×4096 JPEG peaked at 749 MB.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** TurboJPEG's pixel format for RGBA (TJPF_RGBA). */
const TJPF_RGBA = 7;

/** libjpeg-turbo's scaling factors (turbojpeg.c, `sf`), largest first: the first that fits is used. */
const SCALES: readonly [number, number][] = [
  [2, 1],
  [15, 8],
  [7, 4],
  [13, 8],
  [3, 2],
  [11, 8],
  [5, 4],
  [9, 8],
  [1, 1],
  [7, 8],
  [3, 4],
  [5, 8],
  [1, 2],
  [3, 8],
  [1, 4],
  [1, 8],
];

/** The few WebAssembly names used here (the project's lib settings have no DOM types). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
};

interface TurboJpeg {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(
    handle: number,
    src: number,
    size: number,
    w: number,
    h: number,
    ss: number,
    cs: number,
  ): number;
  tjDecompress2(
    handle: number,
    src: number,
    size: number,
    dst: number,
    w: number,
    pitch: number,
    h: number,
    format: number,
    flags: number,
  ): number;
}

const wasm = new WebAssembly.Module(
  readFileSync(createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm')),
);

/** libjpeg reports a fatal error by longjmp, which this build turns into a throw out of the module. */
class Longjmp extends Error {}

function instantiate(): TurboJpeg {
  const refuse = (name: string) => () => {
    throw new Error(`${name} is not available to the JPEG decoder`);
  };
  const instance = new WebAssembly.Instance(wasm, {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new Longjmp();
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: refuse('environ_get'),
      proc_exit: refuse('proc_exit'),
      fd_close: refuse('fd_close'),
      fd_seek: refuse('fd_seek'),
      fd_write: refuse('fd_write'),
    },
  });
  return instance.exports as unknown as TurboJpeg;
}

/** One instance, replaced after a failure: a throw out of C code leaves its stack and heap in doubt. */
let turbo: TurboJpeg | undefined;

/** The size libjpeg-turbo gives `width` × `height` scaled to fit within `cap` pixels. */
export function scaledSize(width: number, height: number, cap: number): { width: number; height: number } {
  for (const [num, denom] of SCALES) {
    if (num > denom) continue;
    const w = Math.ceil((width * num) / denom);
    const h = Math.ceil((height * num) / denom);
    if (w * h <= cap) return { width: w, height: h };
  }
  return { width: Math.ceil(width / 8), height: Math.ceil(height / 8) };
}

/**
 * Decodes a JPEG to RGBA, scaled down in the decoder to at most `cap` pixels when it is larger. Refuses a frame
 * over `maxPixels` as libjpeg reads it (the caller has checked the header it found first). Throws a one-line
 * reason (the caller adds the file).
 */
export function decodeJpeg(
  bytes: Uint8Array,
  cap: number,
  maxPixels: number,
): { data: Uint8Array; width: number; height: number } {
  const lib = turbo ?? instantiate();
  turbo = undefined;
  const pointers: number[] = [];
  const alloc = (size: number) => {
    const p = lib.malloc(size);
    if (p === 0) throw new Error(`the decoder could not allocate ${size} bytes`);
    pointers.push(p);
    return p;
  };
  let handle = 0;
  try {
    const src = alloc(bytes.length);
    new Uint8Array(lib.memory.buffer, src, bytes.length).set(bytes);
    handle = lib.tjInitDecompress();
    if (handle === 0) throw new Error('the decoder could not start');
    const header = alloc(16);
    if (lib.tjDecompressHeader3(handle, src, bytes.length, header, header + 4, header + 8, header + 12) !== 0)
      throw new Error('its header cannot be read');
    const [width = 0, height = 0] = new Int32Array(lib.memory.buffer, header, 2);
    if (width * height > maxPixels) throw new Error(`its frame is ${width}×${height}, over the pixel limit`);
    const size = scaledSize(width, height, cap);
    const dst = alloc(size.width * size.height * 4);
    const status = lib.tjDecompress2(
      handle,
      src,
      bytes.length,
      dst,
      size.width,
      0,
      size.height,
      TJPF_RGBA,
      0,
    );
    if (status !== 0) throw new Error('its image data cannot be decoded');
    const data = new Uint8Array(lib.memory.buffer, dst, size.width * size.height * 4).slice();
    lib.tjDestroy(handle);
    for (const p of pointers) lib.free(p);
    turbo = lib;
    return { data, ...size };
  } catch (error) {
    // The instance is dropped (its memory with it); the next file gets a fresh one.
    if (error instanceof Longjmp)
      throw new Error('corrupt or truncated JPEG (libjpeg-turbo stopped on an error)');
    throw new Error(`corrupt or truncated JPEG (${(error as Error).message})`);
  }
}
