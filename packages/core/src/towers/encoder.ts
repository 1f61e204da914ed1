import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type TowerOptions, type TowerSpec } from './tower.ts';

/**
 * The deep tower's strided convolutions with the pooled features themselves as the embedding: no linear layer
 * after the pooling. Trained under a projection head (loss.projection), these features carry more than the
 * training classes need, which is what matching new classes asks of them (SimCLR, SupCon: the layer before the
 * projection transfers better than the projection's output).
 */
function encoderTower({ embeddingDim, seed }: TowerOptions): tf.Sequential {
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
  return tf.sequential({
    name: 'tower',
    layers: [
      conv(32, 1, true),
      conv(64, 2),
      conv(128, 3),
      conv(embeddingDim, 4),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
}

export const encoder: TowerSpec = {
  summary: "the deep tower's four strided 3×3 ReLU convolutions, the pooled features as the embedding",
  defaultEmbeddingDim: 512,
  relativeCost: 4.5,
  build: encoderTower,
};
