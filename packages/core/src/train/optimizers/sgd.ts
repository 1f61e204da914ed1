import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from './optimizer.ts';

export const sgd: OptimizerSpec = {
  summary: 'plain stochastic gradient descent',
  create: (learningRate) => tf.train.sgd(learningRate),
};
