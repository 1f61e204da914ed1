import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type TowerOptions, type TowerSpec } from './tower.ts';

// PyTorch's default (0.1 of the new batch's statistics per step), in Keras's terms.
const BN_MOMENTUM = 0.9;
const STAGES = [32, 64, 128];

/**
 * VGG-style stages: per stage two 3×3 stride-1 convolutions, each batch-normalised and ReLU'd, then 2×2 max-pooling
 * (28 → 14 → 7 → 3); global average pooling and a linear embedding. Convolutions at full resolution see every
 * stroke the strided towers skip, and batch normalisation lets them train fast; this is the tower a PyTorch probe
 * found to transfer best to new classes (issue 22). The convolutions have no bias: the batch norm's offset is one.
 */
function vggTower({ embeddingDim, seed, width }: TowerOptions): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  let offset = 1;
  for (const [stage, base] of STAGES.entries()) {
    const filters = Math.max(1, Math.round(base * width));
    for (let i = 0; i < 2; i++) {
      layers.push(
        tf.layers.conv2d({
          ...(stage === 0 && i === 0 ? { inputShape: INPUT_SHAPE } : {}),
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: seed * 101 + offset++ }),
        }),
        tf.layers.batchNormalization({ momentum: BN_MOMENTUM, epsilon: 1e-5 }),
        tf.layers.activation({ activation: 'relu' }),
      );
    }
    layers.push(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  layers.push(
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({
      units: embeddingDim,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + offset }),
    }),
  );
  return tf.sequential({ name: 'tower', layers });
}

export const vgg: TowerSpec = {
  summary:
    'VGG-style: two 3×3 convolutions with batch norm and ReLU per stage (32, 64, 128), 2×2 max-pooling, a linear embedding',
  defaultEmbeddingDim: 128,
  relativeCost: 12,
  scalable: true,
  build: vggTower,
};
