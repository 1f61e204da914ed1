import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.ts';
import type { PairLoss } from './losses/index.ts';
import type { ClassIndex } from './pairs.ts';

/**
 * In-batch pairs: embed a batch of P classes × K images once and score every pair (i < j) inside it, instead of
 * pushing both images of each explicit pair through the tower. A batch of m images yields m(m−1)/2 pairs for
 * the price of m tower passes; explicit pairs yield m/2.
 */
export function sampleClassBatch(
  index: ClassIndex,
  classesPerBatch: number,
  perClass: number,
  rng: Rng,
): Int32Array {
  return sampleLabelledClassBatch(index, classesPerBatch, perClass, rng).ids;
}

/**
 * sampleClassBatch's batch (the same draws) with each image's class: `perClass` images of one class after another,
 * the classes in a fresh random order.
 */
export function sampleLabelledClassBatch(
  index: ClassIndex,
  classesPerBatch: number,
  perClass: number,
  rng: Rng,
): { ids: Int32Array; labels: Int32Array } {
  const { classes, byClass } = index;
  if (classesPerBatch < 2 || classesPerBatch > classes.length) {
    throw new Error(`classes per batch must be in 2..${classes.length}, got ${classesPerBatch}`);
  }
  if (perClass < 2) throw new Error(`images per class must be at least 2, got ${perClass}`);
  const order = classes.map((c) => c);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const ids = new Int32Array(classesPerBatch * perClass);
  const labels = new Int32Array(classesPerBatch * perClass);
  for (let p = 0; p < classesPerBatch; p++) {
    const list = byClass.get(order[p]!)!;
    labels.fill(order[p]!, p * perClass, (p + 1) * perClass);
    for (let k = 0; k < perClass; k++) ids[p * perClass + k] = list[rng.int(list.length)]!;
  }
  return { ids, labels };
}

/** The (i, j), i < j, index lists of all pairs in a batch of m, and whether each pair shares a label. */
export function allPairs(labels: ArrayLike<number>): { a: Int32Array; b: Int32Array; same: Float32Array } {
  const m = labels.length;
  const count = (m * (m - 1)) / 2;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const same = new Float32Array(count);
  let at = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      a[at] = i;
      b[at] = j;
      same[at] = labels[i] === labels[j] ? 1 : 0;
      at++;
    }
  }
  return { a, b, same };
}

export interface InBatchOptions {
  /**
   * Weight same and different pairs equally (each half of the loss), as balanced explicit sampling does in
   * expectation; otherwise a plain mean over all pairs, dominated by the many different-class pairs.
   */
  balance: boolean;
}

/**
 * The loss over all in-batch pairs of embedded images, via the model's own head, so the same head and loss
 * serve both modes. `embeddings` is [m, d]; `labels` has m entries.
 */
export function inBatchLoss(
  head: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  loss: PairLoss,
  embeddings: tf.Tensor,
  labels: ArrayLike<number>,
  { balance }: InBatchOptions,
  /** Sees the head's output and the pairs' labels, so callers need not enumerate the pairs again. */
  onOutputs?: (out: tf.Tensor, same: Float32Array) => void,
): tf.Scalar {
  const { a, b, same } = allPairs(labels);
  return tf.tidy(() => {
    // Selection by one-hot matrix products rather than tf.gather: gather's gradient needs UnsortedSegmentSum,
    // which the wasm backend lacks, and a matMul is one fast XNNPACK call either way.
    const m = labels.length;
    const ea = tf.matMul(oneHotRows(a, m), embeddings);
    const eb = tf.matMul(oneHotRows(b, m), embeddings);
    const out = head(ea, eb);
    onOutputs?.(out, same);
    const y = tf.tensor2d(same, [same.length, 1]);
    if (!balance) return loss(y, out);
    const positives = same.reduce((n, s) => n + s, 0);
    const negatives = same.length - positives;
    if (positives === 0 || negatives === 0) return loss(y, out);
    // Per-pair weights that make each kind half of the mean, as balanced explicit sampling does on average.
    const weights = Float32Array.from(same, (s) =>
      s === 1 ? same.length / (2 * positives) : same.length / (2 * negatives),
    );
    return loss(y, out, tf.tensor2d(weights, [same.length, 1]));
  });
}

function oneHotRows(indices: Int32Array, width: number): tf.Tensor2D {
  const values = new Float32Array(indices.length * width);
  indices.forEach((column, row) => {
    values[row * width + column] = 1;
  });
  return tf.tensor2d(values, [indices.length, width]);
}
