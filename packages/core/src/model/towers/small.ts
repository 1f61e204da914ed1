import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type TowerOptions, type TowerSpec } from './tower.ts';

// Keras's 0.99 needs thousands of steps before the moving statistics forget their start; our runs are shorter.
const BN_MOMENTUM = 0.9;

/**
 * The small tower of the Keras contrastive example: batch norm, two 5×5 tanh convolutions with average
 * pooling, and a tanh embedding.
 */
function smallTower({ embeddingDim, seed }: TowerOptions): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 101 + offset });
  return tf.sequential({
    name: 'tower',
    layers: [
      tf.layers.batchNormalization({ inputShape: INPUT_SHAPE, momentum: BN_MOMENTUM }),
      tf.layers.conv2d({ filters: 4, kernelSize: 5, activation: 'tanh', kernelInitializer: init(1) }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh', kernelInitializer: init(2) }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.batchNormalization({ momentum: BN_MOMENTUM }),
      // A small start (1% of Glorot's variance) puts initial distances well inside the margin: with full-size
      // weights the tanh saturates, every pair starts far apart and the first epochs only pull pairs together.
      tf.layers.dense({
        units: embeddingDim,
        activation: 'tanh',
        kernelInitializer: tf.initializers.varianceScaling({
          scale: 0.01,
          mode: 'fanAvg',
          distribution: 'uniform',
          seed: seed * 101 + 3,
        }),
      }),
    ],
  });
}

export const small: TowerSpec = {
  summary: 'the Keras example: batch norm, two 5×5 tanh convolutions with average pooling, a tanh embedding',
  defaultEmbeddingDim: 10,
  relativeCost: 1,
  build: smallTower,
};
