import * as tf from '@tensorflow/tfjs';
import { type PairLoss, type PairLossSpec, weightedMean } from './loss.ts';

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

export const contrastive: PairLossSpec = {
  kind: 'pair',
  summary: 'contrastive loss on the distance head: d² for same pairs, max(margin − d, 0)² for different ones',
  heads: ['distance'],
  create: ({ margin }) => contrastiveLoss(margin),
  runningThreshold: ({ margin }) => margin / 2,
};
