import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, PIXELS, UmapSchema } from '@twinnet/core';
import { initBackend, readJsonArtifact } from '@twinnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportEmbeddings } from '../src/export.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** `n` points of `dim` values in two clusters far apart: labels 0 and 1 alternate. */
function clusters(n: number, dim: number) {
  const rng = createRng(5);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const embeddings = Float32Array.from(
    { length: n * dim },
    (_, j) => labels[Math.floor(j / dim)]! * 10 + rng.next(),
  );
  return { labels, embeddings, images: new Uint8Array(n * PIXELS) };
}

describe('exportEmbeddings', () => {
  it.each([2, 3, 16, 120])('lays out %i points in 2-D, finite, the clusters apart', async (n) => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-export-'));
    const { labels, embeddings, images } = clusters(n, 24);
    const umap = await exportEmbeddings(dir, embeddings, 24, labels, images, n, 1, createRng(1));
    expect(umap.count).toBe(n);
    expect(umap.nNeighbors).toBe(Math.min(15, n - 1));
    expect(umap.coordinates).toHaveLength(2 * n);
    expect(umap.coordinates.every(Number.isFinite)).toBe(true);
    expect(await readJsonArtifact(UmapSchema, join(dir, 'umap.json'))).toEqual(umap);
    expect((await readFile(join(dir, 'embeddings.f32'))).byteLength).toBe(n * 24 * 4);
    if (n >= 16) {
      // Every point lies nearer its own cluster's centre than the other's.
      const centre = (label: number) =>
        [0, 1].map((axis) => {
          const mine = umap.coordinates.filter(
            (_, j) => j % 2 === axis && labels[Math.floor(j / 2)] === label,
          );
          return mine.reduce((s, v) => s + v, 0) / mine.length;
        });
      const centres = [centre(0), centre(1)];
      for (let i = 0; i < n; i++) {
        const [x, y] = [umap.coordinates[2 * i]!, umap.coordinates[2 * i + 1]!];
        const d = centres.map(([cx, cy]) => Math.hypot(x - cx!, y - cy!));
        expect(d[labels[i]!]!).toBeLessThan(d[1 - labels[i]!]!);
      }
    }
    await rm(dir, { recursive: true });
  });
});
