import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** Big-endian IDX header + payload, as the format specifies. */
function idx(magic: number, dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export function idxLabels(labels: readonly number[]): Uint8Array {
  return idx(2049, [labels.length], Uint8Array.from(labels));
}

/** Image i is filled with the value i (mod 256), so copies can be traced back to their source. */
export function idxImages(count: number, rows = 28, cols = 28): Uint8Array {
  const data = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) data.fill(i % 256, i * rows * cols, (i + 1) * rows * cols);
  return idx(2051, [count, rows, cols], data);
}

/** Byte equality without vitest's slow element-wise diffing of large typed arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Fresh temp dirs, removed after each test. */
const created: string[] = [];
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-datasets-'));
  created.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` (name → bytes) into a new temp dir. */
export async function dirWith(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await tempDir();
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, name), bytes)));
  return dir;
}

/** A structurally valid, consistent dataset whose contents are not the canonical ones. */
export function syntheticFiles(train = 5, test = 3): Record<string, Uint8Array> {
  const labels = (n: number) => Array.from({ length: n }, (_, i) => i % 10);
  return {
    'train-images-idx3-ubyte': idxImages(train),
    'train-labels-idx1-ubyte': idxLabels(labels(train)),
    't10k-images-idx3-ubyte': idxImages(test),
    't10k-labels-idx1-ubyte': idxLabels(labels(test)),
  };
}

/** Loader options that cannot see any real dataset or the network. */
export async function isolated() {
  return {
    env: {},
    cacheDir: await tempDir(),
    systemDir: await tempDir(),
    fetch: async (url: string): Promise<Uint8Array> => {
      throw new Error(`network disabled in tests (${url})`);
    },
  };
}
