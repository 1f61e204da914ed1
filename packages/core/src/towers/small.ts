import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from './images.ts';

export type TowerKind = 'small' | 'deep';

export interface TowerOptions {
  /** Width of the embedding the tower outputs. Defaults: 10 for small, 64 for deep. */
  embeddingDim?: number;
  /** Seed for the weight initialisers, so two towers built with one seed are identical. */
  seed?: number;
}

const INPUT_SHAPE = [IMAGE_SIZE, IMAGE_SIZE, 1];

// Keras's 0.99 needs thousands of steps before the moving statistics forget their start; our runs are shorter.
const BN_MOMENTUM = 0.9;

/**
 * The small tower of the Keras contrastive example: batch norm, two 5×5 tanh convolutions with average
 * pooling, and a tanh embedding.
 */
export function smallTower({ embeddingDim = 10, seed = 1 }: TowerOptions = {}): tf.Sequential {
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

/**
 * The deeper tower after the PyTorch seed: four 3×3 ReLU convolutions, each downsampling by stride 2,
 * global average pooling to a 512-wide vector and a linear embedding. He initialisation, because a deep ReLU
 * stack with Glorot weights can sit at chance for a whole epoch.
 */
export function deepTower({ embeddingDim = 64, seed = 1 }: TowerOptions = {}): tf.Sequential {
  const init = (offset: number) => tf.initializers.heNormal({ seed: seed * 101 + offset });
  const conv = (filters: number, strides: number, offset: number, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape: INPUT_SHAPE } : {}),
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(offset),
    });
  return tf.sequential({
    name: 'tower',
    layers: [
      // 28 → 14 → 7 → 4 → 2: every convolution downsamples, which keeps the 512-wide layer affordable on a CPU.
      conv(32, 2, 1, true),
      conv(64, 2, 2),
      conv(128, 2, 3),
      conv(512, 2, 4),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({
        units: embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + 5 }),
      }),
    ],
  });
}

export function buildTower(kind: TowerKind, options: TowerOptions = {}): tf.Sequential {
  return kind === 'small' ? smallTower(options) : deepTower(options);
}
