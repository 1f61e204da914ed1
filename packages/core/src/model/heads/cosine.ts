import * as tf from '@tensorflow/tfjs';
import type { Head, HeadOptions, HeadSpec } from './head.ts';

/**
 * Cosine similarity of the two embeddings: the metric of losses that train on L2-normalised embeddings
 * (supcon, multi-similarity, normalised softmax). Keras's own Dot layer with normalize: true, so the saved pair
 * model loads with plain tf.loadLayersModel. No weights: a batch loss trains the tower alone, and nothing
 * untrained stands between its metric and the threshold (a calibrated sigmoid left at its start saturated at
 * the distances such towers give).
 */
function cosineHead(_options: HeadOptions): Head {
  const cosine = tf.layers.dot({ axes: 1, normalize: true, name: 'cosine' });
  return <T extends tf.Tensor | tf.SymbolicTensor>(a: T, b: T) => cosine.apply([a, b] as tf.Tensor[]) as T;
}

/**
 * Cosine similarity of every row of q [m, d] with every row of s [n, d]: [m, n], clipped to [−1, 1]: an image
 * against itself can round to 1.0000001, outside the range thresholds and readers rely on.
 */
export function pairwiseCosine(q: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(
    () => tf.clipByValue(tf.matMul(l2Normalize(q), l2Normalize(s), false, true), -1, 1) as tf.Tensor2D,
  );
}

/** Rows scaled to unit length; an all-zero row stays zero (its similarity to anything is 0). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-12))));
}

export const cosine: HeadSpec = {
  summary: 'cosine similarity of the L2-normalised embeddings, no weights (for batch losses)',
  polarity: 'higher-is-same',
  comparesEmbeddings: true,
  build: cosineHead,
};
