import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, hasBatchNormTrainKernels } from './batch-norm-train.ts';

/**
 * Runs a tower on a batch. In training, a Sequential tower's batch normalisations that a ReLU follows run as one
 * fused kernel each way where the backend has it (batch-norm-train.ts), with the layer's own weights and the
 * layer's moving-average update; every other layer, and every tower elsewhere, runs as `tower.apply` does. The
 * tower itself stays built-in layers only, so its saved model loads anywhere; only the arithmetic of training
 * changes, within float32 rounding (tested against `apply`).
 */
export function applyTower(tower: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  if (!training || !(tower instanceof tf.Sequential) || !hasBatchNormTrainKernels())
    return tower.apply(x, { training }) as tf.Tensor;
  const layers = tower.layers;
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const norm = fusable(layer, layers[i + 1]);
    if (norm) {
      h = normaliseWithRelu(norm, h);
      i++;
    } else {
      h = layer.apply(h, { training: true }) as tf.Tensor;
    }
  }
  return h;
}

interface FusableNorm {
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  epsilon: number;
  momentum: number;
}

/** A batch normalisation over the last axis, with scale and offset, that a ReLU activation layer follows. */
function fusable(layer: tf.layers.Layer, next: tf.layers.Layer | undefined): FusableNorm | undefined {
  if (layer.getClassName() !== 'BatchNormalization' || next?.getClassName() !== 'Activation')
    return undefined;
  if (next.getConfig().activation !== 'relu') return undefined;
  const config = layer.getConfig();
  const lastAxis = config.axis === -1 || config.axis === (layer.inputSpec?.[0]?.ndim ?? 0) - 1;
  if (!lastAxis || config.center === false || config.scale === false) return undefined;
  const weight = (suffix: string) => layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  const [gamma, beta, movingMean, movingVariance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(
    weight,
  );
  if (!gamma || !beta || !movingMean || !movingVariance) return undefined;
  return {
    gamma,
    beta,
    movingMean,
    movingVariance,
    epsilon: config.epsilon as number,
    momentum: config.momentum as number,
  };
}

/** The fused layer pair, and the moving averages updated as tfjs-layers' BatchNormalization does in training. */
function normaliseWithRelu(norm: FusableNorm, x: tf.Tensor): tf.Tensor {
  const { y, mean, variance } = batchNormTrain(
    x,
    norm.gamma.read() as tf.Tensor1D,
    norm.beta.read() as tf.Tensor1D,
    { epsilon: norm.epsilon, relu: true },
  );
  const decay = 1 - norm.momentum;
  for (const [variable, value] of [
    [norm.movingMean, mean],
    [norm.movingVariance, variance],
  ] as const) {
    tf.tidy(() => {
      const original = variable.read();
      variable.write(tf.sub(original, tf.mul(tf.sub(original, value), decay)));
    });
  }
  return y;
}
