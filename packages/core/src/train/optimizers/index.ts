import type * as tf from '@tensorflow/tfjs';
import { Registry } from '../../registry.ts';
import { adam } from './adam.ts';
import type { OptimizerSpec } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';

export type { OptimizerSpec } from './optimizer.ts';

/** Every optimizer: add one by writing optimizers/<name>.ts and registering it here. */
export const OPTIMIZERS = new Registry<OptimizerSpec>('optimizer')
  .register('adam', adam)
  .register('rmsprop', rmsprop)
  .register('sgd', sgd);

export type OptimizerName = string;

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new Error(`learning rate must be a positive number, got ${learningRate}`);
  }
  return OPTIMIZERS.get(name).create(learningRate);
}
