import { DatasetError } from './errors.ts';
import { inflateSync } from './gzip.ts';

/** IDX magic numbers: 0x08 = unsigned byte data, last byte = number of dimensions. */
export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

export type IdxLabels = { kind: 'labels'; count: number; data: Uint8Array };
export type IdxImages = { kind: 'images'; count: number; rows: number; cols: number; data: Uint8Array };
export type Idx = IdxLabels | IdxImages;

// Guards against absurd headers before we compare sizes; far above any real IDX file.
const MAX_ELEMENTS = 2 ** 32;

/**
 * Parses an unsigned-byte IDX file (gzipped or not). `data` is a view into the (decompressed) input,
 * not a copy, so respect its byteOffset if you touch `.buffer`.
 */
export function parseIdx(bytes: Uint8Array, file: string): Idx {
  const raw = inflateSync(bytes, file);
  if (raw.length < 4) {
    throw new DatasetError(file, `truncated data: expected at least 4 header bytes, got ${raw.length}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IDX_LABELS_MAGIC && magic !== IDX_IMAGES_MAGIC) {
    throw new DatasetError(
      file,
      `wrong magic number: expected ${IDX_LABELS_MAGIC} (labels) or ${IDX_IMAGES_MAGIC} (images), got ${magic}`,
    );
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (raw.length < headerBytes) {
    throw new DatasetError(
      file,
      `truncated data: expected at least ${headerBytes} header bytes, got ${raw.length}`,
    );
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  if (dims.slice(1).some((d) => d === 0)) {
    throw new DatasetError(file, `bad dims [${dims.join(', ')}]: item dimensions must be positive`);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  if (elements > MAX_ELEMENTS) {
    throw new DatasetError(file, `bad dims [${dims.join(', ')}]: ${elements} elements is implausibly large`);
  }
  const expected = headerBytes + elements;
  if (raw.length !== expected) {
    const what = raw.length < expected ? 'truncated data' : 'trailing data';
    throw new DatasetError(
      file,
      `${what}: expected ${expected} bytes for dims [${dims.join(', ')}], got ${raw.length}`,
    );
  }
  // A plain Uint8Array view, never a Buffer (Buffer#slice shares memory, which surprises callers).
  const data = new Uint8Array(raw.buffer, raw.byteOffset + headerBytes, elements);
  const [count = 0, rows = 0, cols = 0] = dims;
  return magic === IDX_LABELS_MAGIC
    ? { kind: 'labels', count, data }
    : { kind: 'images', count, rows, cols, data };
}
