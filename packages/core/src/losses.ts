import * as tf from '@tensorflow/tfjs';
import type { HeadKind } from './heads.ts';

/**
 * A loss takes same-class labels (1 = same, 0 = different; shape [n, 1]) and the head's output [n, 1], and
 * returns the mean of its per-pair terms, each multiplied by its weight when weights [n, 1] are given.
 */
export type PairLoss = (same: tf.Tensor, output: tf.Tensor, weights?: tf.Tensor) => tf.Scalar;

const weightedMean = (terms: tf.Tensor, weights?: tf.Tensor): tf.Scalar =>
  tf.mean(weights ? tf.mul(terms, weights) : terms) as tf.Scalar;

/**
 * Contrastive loss (Hadsell, Chopra & LeCun 2006) on distances, written for label 1 = same class:
 * same pairs are pulled together (d²), different pairs pushed out to the margin (max(margin − d, 0)²).
 */
export function contrastiveLoss(margin = 1): PairLoss {
  return (same, distance, weights) =>
    tf.tidy(() => {
      const pull = tf.mul(same, tf.square(distance));
      const push = tf.mul(tf.sub(1, same), tf.square(tf.relu(tf.sub(margin, distance))));
      return weightedMean(tf.add(pull, push), weights);
    });
}

/** Binary cross-entropy on logits, in the stable form max(z, 0) − z·y + log(1 + e^−|z|). */
export function binaryCrossEntropyWithLogits(): PairLoss {
  return (same, logits) =>
    tf.tidy(() => {
      const terms = tf.add(
        tf.sub(tf.relu(logits), tf.mul(logits, same)),
        tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
      );
      return tf.mean(terms) as tf.Scalar;
    });
}

export interface LossOptions {
  margin?: number;
}

/** The loss that goes with each head: contrastive for distances, cross-entropy for logits. */
export function lossFor(head: HeadKind, { margin = 1 }: LossOptions = {}): PairLoss {
  return head === 'distance' ? contrastiveLoss(margin) : binaryCrossEntropyWithLogits();
}
