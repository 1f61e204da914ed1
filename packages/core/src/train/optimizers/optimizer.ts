import type * as tf from '@tensorflow/tfjs';

/** One kind of optimizer, built at a learning rate (the schedule changes the rate between epochs). */
export interface OptimizerSpec {
  readonly summary: string;
  create(learningRate: number): tf.Optimizer;
}
