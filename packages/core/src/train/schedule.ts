import type * as tf from '@tensorflow/tfjs';

/**
 * Cosine decay per epoch: the full rate for the first epoch, falling smoothly towards `floor` × rate by the last.
 * Short runs gain most from the slow end: the last epochs settle into the minimum the first ones found.
 */
export function cosineRate(base: number, epoch: number, epochs: number, floor = 0.05): number {
  if (epochs <= 1) return base;
  const progress = (epoch - 1) / (epochs - 1);
  return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** tfjs optimizers read their `learningRate` field on every step, so changing it between epochs is safe. */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new Error(`learning rate must be a positive number, got ${rate}`);
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}
