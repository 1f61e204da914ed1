import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type TowerOptions, type TowerSpec } from './tower.ts';

/**
 * The deeper tower after the PyTorch seed: four 3×3 ReLU convolutions, each downsampling by stride 2,
 * global average pooling to a 512-wide vector and a linear embedding. He initialisation, because a deep ReLU
 * stack with Glorot weights can sit at chance for a whole epoch.
 */
function deepTower({ embeddingDim, seed }: TowerOptions): tf.Sequential {
  return tf.sequential({
    name: 'tower',
    layers: [
      ...stridedConvolutions(512, seed),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({
        units: embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + 5 }),
      }),
    ],
  });
}

/**
 * Four 3×3 ReLU convolutions of 32, 64, 128 and `lastFilters` channels, each downsampling by stride 2:
 * 28 → 14 → 7 → 4 → 2, which keeps a 512-wide last layer affordable on a CPU. Shared by the deep and encoder
 * towers, with the same initialisers, so one seed builds the same convolutions in both.
 */
export function stridedConvolutions(lastFilters: number, seed: number): tf.layers.Layer[] {
  const init = (offset: number) => tf.initializers.heNormal({ seed: seed * 101 + offset });
  const conv = (filters: number, offset: number, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape: INPUT_SHAPE } : {}),
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(offset),
    });
  return [conv(32, 1, true), conv(64, 2), conv(128, 3), conv(lastFilters, 4)];
}

export const deep: TowerSpec = {
  summary:
    'after the PyTorch seed: four strided 3×3 ReLU convolutions, global average pooling, a linear embedding',
  defaultEmbeddingDim: 64,
  // 598 vs 2,669 images/s at batch 128 on plain wasm (README, Training).
  relativeCost: 4.5,
  build: deepTower,
};
