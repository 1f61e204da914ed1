import * as tf from '@tensorflow/tfjs';
import { type PairLoss, type PairLossSpec, weightedMean } from './loss.ts';

/** Binary cross-entropy on logits, in the stable form max(z, 0) − z·y + log(1 + e^−|z|). */
export function binaryCrossEntropyWithLogits(): PairLoss {
  return (same, logits, weights) =>
    tf.tidy(() => {
      const terms = tf.add(
        tf.sub(tf.relu(logits), tf.mul(logits, same)),
        tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
      );
      return weightedMean(terms, weights);
    });
}

export const bce: PairLossSpec = {
  kind: 'pair',
  summary: 'binary cross-entropy on the MLP head’s logit',
  heads: ['mlp'],
  create: () => binaryCrossEntropyWithLogits(),
  runningThreshold: () => 0,
};
