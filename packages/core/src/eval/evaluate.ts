import * as tf from '@tensorflow/tfjs';
import { gatherImages, IMAGE_SIZE, PIXELS } from '../images.ts';
import {
  type GroupScorer,
  gatherRows,
  groupValuesOnRows,
  meanDirection,
  meanRow,
} from '../match/prototypes.ts';
import { pairwiseCosine } from '../model/heads/index.ts';
import type { SiameseModel } from '../model/siamese.ts';
import { readTidy } from '../read-tidy.ts';
import type { BatchLoss, Objective, PairLoss } from '../train/losses/index.ts';
import type { Pairs } from '../train/pairs.ts';
import type { SimilarityFn } from './metrics/episodes.ts';

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
    const values = readTidy(() => {
      const x = tf.tensor4d(gatherImages(images, batchIds), [batchIds.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return tower.apply(x, { training: false }) as tf.Tensor;
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
  return scoreEmbeddedPairs(model, embed(model.readout, images), pairs, loss);
}

/** Scores pairs of already-embedded images (rows of `embeddings`, as from embed()); loss NaN without a loss. */
export function scoreEmbeddedPairs(
  model: SiameseModel,
  embeddings: Float32Array,
  pairs: Pairs,
  loss?: PairLoss,
  batchSize = 4096,
): PairScores {
  const dim = embeddingDim(model.readout);
  const scores = new Float32Array(pairs.count);
  let lossSum = 0;
  for (let start = 0; start < pairs.count; start += batchSize) {
    const end = Math.min(start + batchSize, pairs.count);
    const n = end - start;
    // Tensors out of the tidy, read after it (see readTidy).
    const [out, batchLoss] = tf.tidy(() => {
      const ea = tf.tensor2d(gatherRows(embeddings, pairs.a.subarray(start, end), dim), [n, dim]);
      const eb = tf.tensor2d(gatherRows(embeddings, pairs.b.subarray(start, end), dim), [n, dim]);
      const out = model.head(ea, eb);
      const y = tf.tensor2d(Float32Array.from(pairs.same.subarray(start, end)), [n, 1]);
      return [out, loss ? loss(y, out) : tf.scalar(Number.NaN)];
    });
    scores.set(out.dataSync(), start);
    lossSum += batchLoss.dataSync()[0]! * n;
    tf.dispose([out, batchLoss]);
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
 * Similarity between embedded images for episodes: to each way's prototype, by negative Euclidean distance for
 * a distance head and by cosine similarity for a cosine head (as the matcher compares); for an MLP head, its
 * mean logit over the way's supports (all query × support pairs in one batch).
 */
export function embeddingSimilarity(model: SiameseModel, embeddings: Float32Array): SimilarityFn {
  const dim = embeddingDim(model.readout);
  if (model.headKind === 'distance') return metricSimilarity(embeddings, dim, 'euclidean');
  if (model.headKind === 'cosine') return metricSimilarity(embeddings, dim, 'cosine');
  return matrixSimilarity(embeddings, dim, (q, s) => {
    const [m, n] = [q.shape[0], s.shape[0]];
    const qa = tf.reshape(tf.tile(tf.expandDims(q, 1), [1, n, 1]), [-1, dim]);
    const sb = tf.tile(s, [m, 1]);
    return model.head(qa, sb) as tf.Tensor;
  });
}

/** Nearest prototype on embeddings compared by cosine similarity or (negative) Euclidean distance. */
export function metricSimilarity(
  embeddings: Float32Array,
  dim: number,
  metric: 'cosine' | 'euclidean',
): SimilarityFn {
  return metric === 'cosine'
    ? matrixSimilarity(embeddings, dim, pairwiseCosine, meanDirection)
    : matrixSimilarity(embeddings, dim, negativeDistances, meanRow);
}

/** Negative Euclidean distances, so that higher means more alike as a SimilarityFn needs. */
export const negativeDistances = (q: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor =>
  tf.neg(pairwiseDistances(q, s));

/**
 * A SimilarityFn over rows of `embeddings` (n × dim): the query and support rows are gathered and compared by
 * `matrix`, which gives every query × row value (higher = more alike), with each way's prototype when one is
 * given, else with its supports, averaged.
 */
export function matrixSimilarity(
  embeddings: Float32Array,
  dim: number,
  matrix: (queries: tf.Tensor2D, supports: tf.Tensor2D) => tf.Tensor,
  prototype?: GroupScorer['prototype'],
): SimilarityFn {
  const scorer: GroupScorer = {
    matrix: (q, s) =>
      tf.tidy(
        () =>
          matrix(
            tf.tensor2d(q, [q.length / dim, dim]),
            tf.tensor2d(s, [s.length / dim, dim]),
          ).dataSync() as Float32Array,
      ),
    ...(prototype ? { prototype } : {}),
  };
  return groupValuesOnRows(scorer, embeddings, dim);
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

/** A split as the objective is scored on it: its images, their labels, and their embeddings by the readout. */
export interface ScoredSet {
  images: Uint8Array;
  labels: ArrayLike<number>;
  embeddings: Float32Array;
}

/**
 * The head's scores on pairs and the objective's loss: for a pair loss its mean over the pairs, for a batch loss
 * its value on the first images of the set with their labels, embedded by the tower it trains (a readout other
 * than the tower's output has another width than the loss takes).
 */
export function scoreWithObjective(
  model: SiameseModel,
  objective: Objective,
  set: ScoredSet,
  pairs: Pairs,
): PairScores {
  if (objective.kind === 'pair') return scoreEmbeddedPairs(model, set.embeddings, pairs, objective.loss);
  const { scores } = scoreEmbeddedPairs(model, set.embeddings, pairs);
  const n = Math.min(BATCH_LOSS_ROWS, set.labels.length);
  const trained =
    model.readout === model.tower ? set.embeddings : embed(model.tower, set.images.subarray(0, n * PIXELS));
  return { scores, loss: batchLossOn(objective.loss, trained, set.labels, embeddingDim(model.tower)) };
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
