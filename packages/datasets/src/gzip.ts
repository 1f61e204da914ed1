import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

/** gzip members start with 0x1f 0x8b; IDX files start with 0x00 0x00, so the two never collide. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function corrupt(file: string, error: unknown): DatasetError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DatasetError(file, `corrupt gzip data (${reason})`, { cause: error });
}

/** Returns the decompressed bytes, or the input itself when it is not gzipped. */
export function inflateSync(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw corrupt(file, error);
  }
}

/** Async variant runs on the libuv thread pool, so several files inflate in parallel. */
export async function inflate(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw corrupt(file, error);
  }
}
