import { KernelAdam } from './adam-kernel.ts';
import type { OptimizerSpec } from './optimizer.ts';

export const adam: OptimizerSpec = {
  summary: 'Adam (β1 0.9, β2 0.999), one kernel per variable where the backend has it',
  // tf.train.adam's defaults and the backend's ε, bit-identical to the stock optimizer.
  create: (learningRate) => new KernelAdam(learningRate, 0.9, 0.999),
};
