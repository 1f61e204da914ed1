import * as tf from '@tensorflow/tfjs';
import { stridedConvolutions } from './deep.ts';
import type { TowerOptions, TowerSpec } from './tower.ts';

/**
 * The deep tower's strided convolutions with the pooled features themselves as the embedding: no linear layer
 * after the pooling. Trained under a projection head (loss.projection), these features carry more than the
 * training classes need, which is what matching new classes asks of them (SimCLR, SupCon: the layer before the
 * projection transfers better than the projection's output).
 */
function encoderTower({ embeddingDim, seed }: TowerOptions): tf.Sequential {
  return tf.sequential({
    name: 'tower',
    layers: [...stridedConvolutions(embeddingDim, seed), tf.layers.globalAveragePooling2d({})],
  });
}

export const encoder: TowerSpec = {
  summary: "the deep tower's four strided 3×3 ReLU convolutions, the pooled features as the embedding",
  defaultEmbeddingDim: 512,
  relativeCost: 4.5,
  // The third convolution's 4×4×128 map, before the last convolution and the pooling: where each feature is.
  gridLayer: 2,
  build: encoderTower,
};
