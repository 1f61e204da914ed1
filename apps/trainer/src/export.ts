import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ARTIFACT_FILES,
  type EmbeddingsHeader,
  l2Normalize,
  type Neighbours,
  nearestNeighbours,
  type Pairs,
  PIXELS,
  type Polarity,
  type Prediction,
  predictsSame,
  type Rng,
  type Umap,
} from '@twinnet/core';
import { writeFileAtomic, writeJsonAtomic } from '@twinnet/core/node';
import { UMAP } from 'umap-js';

/** Nearest other points the gallery shows beside a hovered one. */
const HOVER_NEIGHBOURS = 5;

/**
 * Writes the gallery's view of the test set: embeddings, their images, a 2-D UMAP layout and each point's
 * nearest others by the run's own measure (cosine similarity or Euclidean distance), from one neighbour graph.
 */
export async function exportEmbeddings(
  dir: string,
  embeddings: Float32Array,
  dim: number,
  labels: Uint8Array,
  images: Uint8Array,
  count: number,
  metric: Neighbours['metric'],
  seed: number,
  rng: Rng,
): Promise<Umap> {
  const n = Math.min(count, labels.length);
  const indices = Array.from({ length: n }, (_, i) => i);
  const points = embeddings.subarray(0, n * dim);
  const header: EmbeddingsHeader = {
    count: n,
    dim,
    dtype: 'float32',
    labels: Array.from(labels.subarray(0, n)),
    indices,
  };
  await writeFileAtomic(
    join(dir, ARTIFACT_FILES.embeddings),
    new Uint8Array(points.buffer, points.byteOffset, points.byteLength),
  );
  await writeFileAtomic(join(dir, ARTIFACT_FILES.images), images.subarray(0, n * PIXELS));
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.embeddingsHeader), header);
  // One neighbour graph by the run's measure (for cosine, Euclidean on unit rows ranks alike) from the backend's
  // matrix product, for the layout and the hover: umap-js's own search compares points in plain JavaScript
  // (half a minute for 5,000 points of 2,560 values), and the gallery's would need all 5,000 rows (50 MB).
  const measured = metric === 'cosine' ? unitRows(points, n, dim) : points;
  const graph = nearestNeighbours(measured, dim, umapNeighbours(n) + 1);
  const result: Umap = {
    count: n,
    coordinates: umapLayout(n, graph, rng),
    labels: header.labels,
    nNeighbors: umapNeighbours(n),
    minDist: 0.1,
    seed,
    ...(n > 1 ? { neighbours: hoverNeighbours(graph, metric, Math.min(HOVER_NEIGHBOURS, n - 1)) } : {}),
  };
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.umap), result);
  return result;
}

type Graph = ReturnType<typeof nearestNeighbours>;

function umapLayout(n: number, graph: Graph, rng: Rng): number[] {
  // 200 epochs: the layout settles well before umap-js's default of 500 for this size, at 40% of the time.
  // umap-js needs more points than neighbours: a handful of points (a small --embed-points) gets fewer.
  const neighbours = umapNeighbours(n);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: neighbours,
    minDist: 0.1,
    nEpochs: 200,
    random: () => rng.next(),
  });
  const take = (rows: number[][]) => rows.map((row) => row.slice(0, neighbours));
  umap.setPrecomputedKNN(take(graph.indices), take(graph.distances));
  // With the neighbour graph given, fitting reads only how many rows there are (umap-js 1.4 reads the values to
  // search for neighbours or to place new points, neither done here): empty rows spare a copy of every
  // embedding as JavaScript arrays, 100 MB at 5,000 × 2,560.
  const layout = umap.fit(Array.from({ length: n }, () => []));
  return layout.flatMap(([x, y]) => [round(x!), round(y!)]);
}

/** Each point's k nearest others from the graph (its first entry is the point itself), on the run's measure. */
function hoverNeighbours(graph: Graph, metric: Neighbours['metric'], k: number): Neighbours {
  const others = (rows: number[][]) => rows.flatMap((row) => row.slice(1, k + 1));
  // Unit rows: ‖a − b‖² = 2 − 2 cos(a, b).
  const value = (d: number) => round(metric === 'cosine' ? 1 - (d * d) / 2 : d);
  return { metric, k, indices: others(graph.indices), values: others(graph.distances).map(value) };
}

/** The n rows scaled to unit length as the matcher's cosine scales them (core's l2Normalize). */
function unitRows(points: Float32Array, n: number, dim: number): Float32Array {
  const unit = tf.tidy(() => l2Normalize(tf.tensor2d(points, [n, dim])));
  try {
    return unit.dataSync() as Float32Array;
  } finally {
    unit.dispose();
  }
}

const umapNeighbours = (points: number) => Math.min(15, points - 1);

const round = (v: number) => Math.round(v * 1e4) / 1e4;

export interface PredictionSource {
  pairs: Pairs;
  scores: Float32Array;
  labels: Uint8Array;
  images: Uint8Array;
  threshold: number;
  polarity: Polarity;
}

/** A seeded sample of test pairs plus the most confident mistakes of each kind. */
export function selectPredictions(source: PredictionSource, rng: Rng, sample = 96, worst = 24): Prediction[] {
  const { pairs, scores, threshold, polarity } = source;
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  const similarity = (i: number) => sign * scores[i]!;
  const falseMatches: number[] = [];
  const falseMismatches: number[] = [];
  for (let i = 0; i < pairs.count; i++) {
    const predicted = predictsSame(scores[i]!, threshold, polarity);
    if (predicted && pairs.same[i] === 0) falseMatches.push(i);
    if (!predicted && pairs.same[i] === 1) falseMismatches.push(i);
  }
  // Worst false match: a different pair that looks most alike; worst false mismatch: a same pair least alike.
  falseMatches.sort((x, y) => similarity(y) - similarity(x));
  falseMismatches.sort((x, y) => similarity(x) - similarity(y));
  const chosen = new Map<number, Prediction['kind']>();
  for (const i of falseMatches.slice(0, worst)) chosen.set(i, 'worst-false-match');
  for (const i of falseMismatches.slice(0, worst)) chosen.set(i, 'worst-false-mismatch');
  for (
    let tries = 0;
    chosen.size < Math.min(pairs.count, sample + 2 * worst) && tries < 10 * sample;
    tries++
  ) {
    const i = rng.int(pairs.count);
    if (!chosen.has(i)) chosen.set(i, 'sample');
  }
  return [...chosen].map(([i, kind]) => {
    const a = pairs.a[i]!;
    const b = pairs.b[i]!;
    return {
      a,
      b,
      labelA: source.labels[a]!,
      labelB: source.labels[b]!,
      same: pairs.same[i] === 1 ? 1 : 0,
      score: scores[i]!,
      predictedSame: predictsSame(scores[i]!, threshold, polarity),
      kind,
      imageA: base64(source.images.subarray(a * PIXELS, (a + 1) * PIXELS)),
      imageB: base64(source.images.subarray(b * PIXELS, (b + 1) * PIXELS)),
    };
  });
}

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Counts of same and different pairs per score bin, for the gallery's histogram. */
export function scoreHistogram(scores: Float32Array, same: Uint8Array, bins = 40) {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = { same: new Array<number>(bins).fill(0), different: new Array<number>(bins).fill(0) };
  scores.forEach((s, i) => {
    const bin = Math.min(bins - 1, Math.floor((s - lo) / width));
    (same[i] === 1 ? counts.same : counts.different)[bin]!++;
  });
  return { edges, ...counts };
}
