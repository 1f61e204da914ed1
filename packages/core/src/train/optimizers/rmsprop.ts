import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from './optimizer.ts';

export const rmsprop: OptimizerSpec = {
  summary: 'RMSprop (the Keras example’s optimizer)',
  create: (learningRate) => tf.train.rmsprop(learningRate),
};
