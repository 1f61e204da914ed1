import * as tf from '@tensorflow/tfjs';
import { pairwiseCosine } from './heads/index.ts';
import { gatherImages, IMAGE_SIZE, PIXELS } from './images.ts';
import type { BatchLoss, Objective, PairLoss } from './losses/index.ts';
import type { SimilarityFn } from './metrics/episodes.ts';
import type { SiameseModel } from './model.ts';
import type { Pairs } from './pairs.ts';

/** Embeds images[indices] (all images when indices is omitted) in inference mode; row-major [n × dim]. */
export function embed(
  tower: tf.LayersModel,
  images: Uint8Array,
  indices?: ArrayLike<number>,
  batchSize = 256,
): Float32Array {
  const ids = indices ?? Int32Array.from({ length: images.length / PIXELS }, (_, i) => i);
  const dim = embeddingDim(tower);
  const out = new Float32Array(ids.length * dim);
  for (let start = 0; start < ids.length; start += batchSize) {
    const batchIds = Array.prototype.slice.call(ids, start, start + batchSize) as number[];
    const values = tf.tidy(() => {
      const x = tf.tensor4d(gatherImages(images, batchIds), [batchIds.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return (tower.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start * dim);
  }
  return out;
}

export function embeddingDim(tower: tf.LayersModel): number {
  const shape = tower.outputs[0]!.shape;
  return shape[shape.length - 1]!;
}

export interface PairScores {
  /** The head's output per pair: a distance or a logit. */
  scores: Float32Array;
  /** Mean loss over the pairs. */
  loss: number;
}

/** Scores pairs in inference mode: each image of the split is embedded once, then the head runs on the pairs. */
export function scorePairs(
  model: SiameseModel,
  images: Uint8Array,
  pairs: Pairs,
  loss: PairLoss,
): PairScores {
  return scoreEmbeddedPairs(model, embed(model.tower, images), pairs, loss);
}

/** Scores pairs of already-embedded images (rows of `embeddings`, as from embed()); loss NaN without a loss. */
export function scoreEmbeddedPairs(
  model: SiameseModel,
  embeddings: Float32Array,
  pairs: Pairs,
  loss?: PairLoss,
  batchSize = 4096,
): PairScores {
  const dim = embeddingDim(model.tower);
  const scores = new Float32Array(pairs.count);
  let lossSum = 0;
  for (let start = 0; start < pairs.count; start += batchSize) {
    const end = Math.min(start + batchSize, pairs.count);
    const n = end - start;
    const [values, batchLoss] = tf.tidy(() => {
      const ea = gatherRows(embeddings, pairs.a.subarray(start, end), dim);
      const eb = gatherRows(embeddings, pairs.b.subarray(start, end), dim);
      const out = model.head(ea, eb);
      const y = tf.tensor2d(Float32Array.from(pairs.same.subarray(start, end)), [n, 1]);
      return [out.dataSync() as Float32Array, loss ? loss(y, out).dataSync()[0]! : Number.NaN] as const;
    });
    scores.set(values, start);
    lossSum += batchLoss * n;
  }
  return { scores, loss: lossSum / pairs.count };
}

/** Both images of pairs [start, end) as one batch: all first images, then all second images. */
export function pairBatch(images: Uint8Array, pairs: Pairs, start: number, end: number): Float32Array {
  const n = end - start;
  const batch = new Float32Array(2 * n * PIXELS);
  gatherImages(images, pairs.a.subarray(start, end), batch.subarray(0, n * PIXELS));
  gatherImages(images, pairs.b.subarray(start, end), batch.subarray(n * PIXELS));
  return batch;
}

/**
 * Similarity between embedded images for episodes and matching: negative Euclidean distance for a distance
 * head, the head's logit for an MLP head (computed for all query × support pairs in one batch).
 */
export function embeddingSimilarity(model: SiameseModel, embeddings: Float32Array): SimilarityFn {
  const dim = embeddingDim(model.tower);
  return (queries, supports) =>
    tf.tidy(() => {
      const q = gatherRows(embeddings, queries, dim);
      const s = gatherRows(embeddings, supports, dim);
      if (model.headKind === 'distance') {
        return tf.neg(pairwiseDistances(q, s)).dataSync() as Float32Array;
      }
      if (model.headKind === 'cosine') return pairwiseCosine(q, s).dataSync() as Float32Array;
      const qa = tf.reshape(tf.tile(tf.expandDims(q, 1), [1, supports.length, 1]), [-1, dim]);
      const sb = tf.tile(s, [queries.length, 1]);
      return (model.head(qa, sb) as tf.Tensor).dataSync() as Float32Array;
    });
}

function gatherRows(embeddings: Float32Array, rows: ArrayLike<number>, dim: number): tf.Tensor2D {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++)
    out.set(embeddings.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), i * dim);
  return tf.tensor2d(out, [rows.length, dim]);
}

/** Euclidean distances between every row of a [m, d] and every row of b [n, d]: [m, n]. */
export function pairwiseDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const aa = tf.sum(tf.square(a), 1, true);
    const bb = tf.transpose(tf.sum(tf.square(b), 1, true));
    const ab = tf.matMul(a, b, false, true);
    return tf.sqrt(tf.relu(tf.add(tf.sub(aa, tf.mul(2, ab)), bb))) as tf.Tensor2D;
  });
}

/** Rows a batch loss is reported on: the first ones of the set, enough for a stable figure at a bounded cost. */
const BATCH_LOSS_ROWS = 1024;

/**
 * The head's scores on pairs and the objective's loss: for a pair loss its mean over the pairs, for a batch loss
 * its value on the first embeddings of the set with their labels.
 */
export function scoreWithObjective(
  model: SiameseModel,
  objective: Objective,
  embeddings: Float32Array,
  labels: ArrayLike<number>,
  pairs: Pairs,
): PairScores {
  if (objective.kind === 'pair') return scoreEmbeddedPairs(model, embeddings, pairs, objective.loss);
  const { scores } = scoreEmbeddedPairs(model, embeddings, pairs);
  return { scores, loss: batchLossOn(objective.loss, embeddings, labels, embeddingDim(model.tower)) };
}

function batchLossOn(
  loss: BatchLoss,
  embeddings: Float32Array,
  labels: ArrayLike<number>,
  dim: number,
): number {
  const n = Math.min(BATCH_LOSS_ROWS, labels.length);
  return tf.tidy(() => {
    const e = tf.tensor2d(embeddings.subarray(0, n * dim), [n, dim]);
    return loss(e, Array.prototype.slice.call(labels, 0, n) as number[]).dataSync()[0]!;
  });
}
