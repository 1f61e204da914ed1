import * as tf from '@tensorflow/tfjs';

/** Rows whose distances to every point one block holds: a 256 × n float32 matrix at a time. */
const BLOCK = 256;
/**
 * Candidates per point that the matrix product shortlists for the exact check; its distances differ from the exact
 * ones by float32 rounding alone, and a shortlist that rounding could have cut short is not trusted (below).
 */
const SHORTLIST = 8;

/**
 * Leave-one-out nearest-neighbour accuracy (precision@1) in embedding space: the fraction of points whose
 * nearest other point (Euclidean) shares their label. Each point's nearest is the one a scan over all points
 * finds (squared differences summed in order, the first of equals winning), looked for among a shortlist that one
 * matrix product per block of points draws up: n² × dim in the backend's GEMM rather than in plain JavaScript
 * (half a minute for 5,000 points of 512 values). Where the shortlist cannot rule out a tie beyond it, that
 * point is scanned in full.
 */
export function precisionAt1(embeddings: Float32Array, labels: ArrayLike<number>, dim: number): number {
  const n = labels.length;
  if (n < 2) throw new Error('precision@1 needs at least 2 points');
  let hits = 0;
  forEachShortlist(embeddings, n, dim, Math.min(SHORTLIST, n - 1), (i, shortlisted, slack) => {
    const nearest = exactNearest(embeddings, dim, i, shortlisted, slack);
    if (labels[nearest] === labels[i]) hits++;
  });
  return hits / n;
}

/** Candidates beyond the k asked for that `nearestNeighbours` measures exactly, so rounding rarely reorders its k. */
const SPARE = 8;

/**
 * Each point's k nearest (Euclidean), itself first at distance 0, as UMAP takes a precomputed neighbour graph:
 * `indices[i]` and `distances[i]` (not squared), nearest first. The others are the k − 1 nearest by exact
 * distance among a shortlist of k − 1 + 8 that the matrix product draws up; for a layout, a neighbour that
 * float32 rounding swapped with the next one out does not matter, so there is no full scan.
 */
export function nearestNeighbours(
  embeddings: Float32Array,
  dim: number,
  k: number,
): { indices: number[][]; distances: number[][] } {
  const n = embeddings.length / dim;
  if (!Number.isInteger(n) || k < 1 || k > n)
    throw new Error(
      `nearestNeighbours: ${embeddings.length} floats of ${dim} values cannot give ${k} neighbours`,
    );
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  const others = Math.min(k - 1 + SPARE, n - 1);
  if (others === 0) {
    for (let i = 0; i < n; i++) [indices[i], distances[i]] = [[i], [0]];
    return { indices, distances };
  }
  forEachShortlist(embeddings, n, dim, others, (i, shortlisted) => {
    const measured = Array.from(shortlisted, (j) => ({ j, d: squaredDistance(embeddings, dim, i, j) }));
    measured.sort((a, b) => a.d - b.d || a.j - b.j);
    const nearest = measured.slice(0, k - 1);
    indices[i] = [i, ...nearest.map(({ j }) => j)];
    distances[i] = [0, ...nearest.map(({ d }) => Math.sqrt(d))];
  });
  return { indices, distances };
}

/**
 * Calls `visit(i, shortlisted, slack)` for every point i with the k other points nearest to it by a float32
 * matrix product (‖b‖² − 2a·b ranks the points as ‖a − b‖² does, ‖a‖² being the same along a row), one block
 * of rows at a time; `slack` bounds how far rounding may have moved a squared distance.
 */
function forEachShortlist(
  embeddings: Float32Array,
  n: number,
  dim: number,
  k: number,
  visit: (i: number, shortlisted: Int32Array, slack: number) => void,
): void {
  if (embeddings.length !== n * dim)
    throw new Error(`embeddings hold ${embeddings.length} floats, expected ${n}×${dim}`);
  const all = tf.tensor2d(embeddings, [n, dim]);
  const squares = tf.tidy(() => tf.sum(tf.square(all), 1));
  try {
    const norms = squares.dataSync() as Float32Array;
    const maxNorm = norms.reduce((m, v) => Math.max(m, v), 0);
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start);
      const shortlist = tf.tidy(() => {
        const block = all.slice([start, 0], [rows, dim]);
        const ranks = tf.sub(squares.reshape([1, n]), tf.mul(2, tf.matMul(block, all, false, true)));
        // The point itself is pushed out of its own shortlist.
        const self = tf.mul(tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n), 1e30);
        return tf.topk(tf.neg(tf.add(ranks, self)), k).indices;
      });
      const candidates = shortlist.dataSync() as Int32Array;
      shortlist.dispose();
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        // float32 ranks are off by a few ulps of the squared norms they sum: far more than that, to be safe.
        visit(i, candidates.subarray(r * k, (r + 1) * k), 1e-4 * (norms[i]! + maxNorm));
      }
    }
  } finally {
    tf.dispose([all, squares]);
  }
}

/** ‖point i − point j‖², summed in order. */
function squaredDistance(embeddings: Float32Array, dim: number, i: number, j: number): number {
  let d = 0;
  for (let x = 0; x < dim; x++) {
    const diff = embeddings[i * dim + x]! - embeddings[j * dim + x]!;
    d += diff * diff;
  }
  return d;
}

/**
 * The point nearest to point i by the exact squared distance, the lowest index among equals (a scan's choice),
 * from its shortlist; by a scan over all points when the shortlist's farthest is within the shortlist's rounding
 * (`slack`) of its nearest, as then a point left out could tie with the nearest.
 */
function exactNearest(
  embeddings: Float32Array,
  dim: number,
  i: number,
  candidates: ArrayLike<number>,
  slack: number,
): number {
  const distance = (j: number) => squaredDistance(embeddings, dim, i, j);
  let [best, bestJ, farthest] = [Number.POSITIVE_INFINITY, -1, 0];
  for (let c = 0; c < candidates.length; c++) {
    const j = candidates[c]!;
    const d = distance(j);
    farthest = Math.max(farthest, d);
    if (d < best || (d === best && j < bestJ)) [best, bestJ] = [d, j];
  }
  if (farthest - best > slack) return bestJ;
  [best, bestJ] = [Number.POSITIVE_INFINITY, -1];
  for (let j = 0; j < embeddings.length / dim; j++) {
    if (j === i) continue;
    const d = distance(j);
    if (d < best) [best, bestJ] = [d, j];
  }
  return bestJ;
}
