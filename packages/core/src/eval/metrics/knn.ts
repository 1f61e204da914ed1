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
  if (embeddings.length !== n * dim)
    throw new Error(`embeddings hold ${embeddings.length} floats, expected ${n}×${dim}`);
  if (n < 2) throw new Error('precision@1 needs at least 2 points');
  const k = Math.min(SHORTLIST, n - 1);
  let hits = 0;
  const all = tf.tensor2d(embeddings, [n, dim]);
  const squares = tf.tidy(() => tf.sum(tf.square(all), 1));
  try {
    const norms = squares.dataSync() as Float32Array;
    const maxNorm = norms.reduce((m, v) => Math.max(m, v), 0);
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start);
      const shortlist = tf.tidy(() => {
        const block = all.slice([start, 0], [rows, dim]);
        // ‖b‖² − 2a·b ranks the points as ‖a − b‖² does (‖a‖² is the same along a row); the point itself is
        // pushed out of its own shortlist.
        const ranks = tf.sub(squares.reshape([1, n]), tf.mul(2, tf.matMul(block, all, false, true)));
        const self = tf.mul(tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n), 1e30);
        return tf.topk(tf.neg(tf.add(ranks, self)), k).indices;
      });
      const candidates = shortlist.dataSync();
      shortlist.dispose();
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        // float32 ranks are off by a few ulps of the squared norms they sum: far more than that, to be safe.
        const slack = 1e-4 * (norms[i]! + maxNorm);
        const shortlisted = candidates.subarray(r * k, (r + 1) * k);
        const nearest = exactNearest(embeddings, dim, i, shortlisted, slack);
        if (labels[nearest] === labels[i]) hits++;
      }
    }
  } finally {
    tf.dispose([all, squares]);
  }
  return hits / n;
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
  const distance = (j: number) => {
    let d = 0;
    for (let x = 0; x < dim; x++) {
      const diff = embeddings[i * dim + x]! - embeddings[j * dim + x]!;
      d += diff * diff;
    }
    return d;
  };
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
