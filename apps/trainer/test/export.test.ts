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
    const umap = await exportEmbeddings(dir, embeddings, 24, labels, images, n, 'euclidean', 1, createRng(1));
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

  /** Each point's k nearest others by a full scan in float64: highest cosine or lowest distance first. */
  function scan(embeddings: Float32Array, dim: number, metric: 'cosine' | 'euclidean', k: number) {
    const n = embeddings.length / dim;
    const row = (i: number) => Array.from(embeddings.subarray(i * dim, (i + 1) * dim));
    const value = (a: number[], b: number[]) => {
      if (metric === 'euclidean') return Math.hypot(...a.map((x, j) => x - b[j]!));
      const dot = a.reduce((s, x, j) => s + x * b[j]!, 0);
      return dot / (Math.hypot(...a) * Math.hypot(...b));
    };
    return Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => ({ j, v: value(row(i), row(j)) }))
        .filter(({ j }) => j !== i)
        .sort((x, y) => (metric === 'cosine' ? y.v - x.v : x.v - y.v))
        .slice(0, k),
    );
  }

  it.each(['cosine', 'euclidean'] as const)(
    "stores each point's nearest others by %s, as a full scan finds them",
    async (metric) => {
      const dir = await mkdtemp(join(tmpdir(), 'twinnet-export-'));
      const n = 40;
      const dim = 8;
      const rng = createRng(9);
      // Rows of different lengths, so cosine and Euclidean order the neighbours differently.
      const embeddings = Float32Array.from({ length: n * dim }, (_, j) => (rng.next() - 0.5) * (1 + (j % 7)));
      const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
      const umap = await exportEmbeddings(
        dir,
        embeddings,
        dim,
        labels,
        new Uint8Array(n * PIXELS),
        n,
        metric,
        1,
        createRng(1),
      );
      const g = umap.neighbours!;
      expect(g.metric).toBe(metric);
      expect(g.k).toBe(5);
      const expected = scan(embeddings, dim, metric, 5);
      for (let i = 0; i < n; i++) {
        expect(g.indices.slice(i * 5, i * 5 + 5)).toEqual(expected[i]!.map(({ j }) => j));
        g.values.slice(i * 5, i * 5 + 5).forEach((v, r) => {
          expect(v).toBeCloseTo(expected[i]![r]!.v, 3);
        });
      }
      expect(await readJsonArtifact(UmapSchema, join(dir, 'umap.json'))).toEqual(umap);
      await rm(dir, { recursive: true });
    },
  );

  it('gives a handful of points as many neighbours as there are others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-export-'));
    const { labels, embeddings, images } = clusters(3, 4);
    const umap = await exportEmbeddings(dir, embeddings, 4, labels, images, 3, 'cosine', 1, createRng(1));
    expect(umap.neighbours?.k).toBe(2);
    expect(umap.neighbours?.indices).toHaveLength(6);
    await rm(dir, { recursive: true });
  });
});

describe('UmapSchema neighbours', () => {
  const base = {
    count: 3,
    coordinates: [0, 0, 1, 1, 2, 2],
    labels: [0, 1, 0],
    nNeighbors: 2,
    minDist: 0.1,
    seed: 1,
  };
  const neighbours = { metric: 'euclidean', k: 1, indices: [1, 0, 1], values: [0.5, 0.5, 0.7] };
  it('accepts a graph of other points and refuses one that names a point itself, one past the end or short', () => {
    expect(UmapSchema.safeParse({ ...base, neighbours }).success).toBe(true);
    expect(UmapSchema.safeParse(base).success).toBe(true);
    for (const indices of [
      [0, 0, 1],
      [1, 0, 3],
      [1, 0],
    ])
      expect(UmapSchema.safeParse({ ...base, neighbours: { ...neighbours, indices } }).success).toBe(false);
    expect(
      UmapSchema.safeParse({ ...base, neighbours: { ...neighbours, values: [0.5, Number.NaN, 1] } }).success,
    ).toBe(false);
  });
});
