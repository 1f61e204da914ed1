import * as tf from '@tensorflow/tfjs';

/**
 * Batch normalisation in training as one kernel each way, for backends that register them (the native kernels):
 * tfjs composes the batch's moments, the normalisation and the gradients of both from about thirty kernels a
 * layer, each a pass over the activations. Forward: y = relu?((x − mean) · scale / √(variance + ε) + offset) with
 * the batch's own mean and biased variance over every axis but the last, both returned for the moving averages.
 */
export const BATCH_NORM_TRAIN = 'TwinnetBatchNormTrain';
/** Its gradients for x, scale and offset, the statistics' dependence on x included (and the relu's mask). */
export const BATCH_NORM_TRAIN_GRAD = 'TwinnetBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
  relu: boolean;
}

export interface BatchNormTrainResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Whether the active backend runs batch normalisation in training as one kernel each way. */
export function hasBatchNormTrainKernels(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(BATCH_NORM_TRAIN, backend) !== undefined &&
    tf.getKernel(BATCH_NORM_TRAIN_GRAD, backend) !== undefined
  );
}

/** Normalises x over its last axis with the batch's statistics, optionally followed by a ReLU. */
export function batchNormTrain(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  attrs: BatchNormTrainAttrs,
): BatchNormTrainResult {
  const [y, mean, variance] = tf
    .engine()
    .runKernel(BATCH_NORM_TRAIN, { x, scale, offset }, attrs as never) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

tf.registerGradient({
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, y, mean, variance] = saved as tf.Tensor[];
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const { relu } = attrs as unknown as BatchNormTrainAttrs;
    const inputs: tf.NamedTensorMap = { dy, x: x!, scale: scale!, mean: mean!, variance: variance! };
    // The ReLU's mask is where y is positive.
    if (relu) inputs.y = y!;
    const [dx, dScale, dOffset] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAIN_GRAD, inputs, attrs as never) as tf.Tensor[];
    return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
  },
});
