import * as tf from '@tensorflow/tfjs';
import { pairwiseDistances } from '../eval/evaluate.ts';
import { countCorrect } from '../eval/metrics/threshold.ts';
import { IMAGE_SIZE } from '../images.ts';
import { applyTower } from '../model/apply-tower.ts';
import { type SiameseModel, trainableVariables } from '../model/siamese.ts';
import { readTidy } from '../read-tidy.ts';
import { type InBatchOptions, inBatchLoss } from './inbatch.ts';
import type { BatchLoss, PairLoss } from './losses/index.ts';

/** Thrown when a step's loss is NaN or infinite: the weights after that step are not to be trusted. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly step: number,
  ) {
    super(`loss became ${loss} at step ${step}; stopping (lower the learning rate or check the data)`);
    this.name = 'NonFiniteLossError';
  }
}

export interface StepResult {
  loss: number;
  /** Pairs predicted correctly at the running threshold, for a cheap training accuracy. */
  correct: number;
}

/**
 * One optimizer step on a batch of pairs. The tower runs once over both halves of the batch (2n images),
 * which computes the same gradients as two tower calls with shared weights, with larger, faster kernels.
 */
export function trainStep(
  model: SiameseModel,
  optimizer: tf.Optimizer,
  loss: PairLoss,
  images: Float32Array,
  same: Uint8Array,
  threshold: number,
): StepResult {
  const n = same.length;
  let outputs: Float32Array | undefined;
  const cost = tf.tidy(() => {
    const x = tf.tensor4d(images, [2 * n, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = tf.tensor2d(Float32Array.from(same), [n, 1]);
    return optimizer.minimize(
      () => {
        const e = applyTower(model.tower, x, true);
        const out = model.head(e.slice(0, n), e.slice(n, n)) as tf.Tensor;
        outputs = out.dataSync() as Float32Array;
        return loss(y, out);
      },
      true,
      trainableVariables(model),
    )!;
  });
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return { loss: value, correct: countCorrect(outputs!, same, threshold, model.polarity) };
}

/**
 * One optimizer step on a batch of m images (P classes × K each) scored as all m(m−1)/2 pairs inside it: each
 * image passes through the tower once however many pairs it is in.
 */
export function trainStepInBatch(
  model: SiameseModel,
  optimizer: tf.Optimizer,
  loss: PairLoss,
  images: Float32Array,
  labels: ArrayLike<number>,
  options: InBatchOptions,
  threshold: number,
): StepResult & { pairs: number } {
  const m = labels.length;
  let outputs: Float32Array | undefined;
  let same: Float32Array | undefined;
  const cost = tf.tidy(() => {
    const x = tf.tensor4d(images, [m, IMAGE_SIZE, IMAGE_SIZE, 1]);
    return optimizer.minimize(
      () => {
        const e = applyTower(model.tower, x, true);
        return inBatchLoss(model.head, loss, e, labels, options, (out, pairLabels) => {
          outputs = out.dataSync() as Float32Array;
          same = pairLabels;
        });
      },
      true,
      trainableVariables(model),
    )!;
  });
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return {
    loss: value,
    correct: countCorrect(outputs!, same!, threshold, model.polarity),
    pairs: same!.length,
  };
}

/**
 * One optimizer step of a batch loss on m class-labelled images: the tower's embeddings and the labels go straight
 * to the loss, with no head (only the tower's weights are updated, and the loss's own variables, such as class
 * proxies, when it has some). Its running accuracy is threshold-free: the images whose nearest other image in the
 * batch, by embedding distance, shares their label.
 */
export function trainStepBatch(
  model: SiameseModel,
  optimizer: tf.Optimizer,
  loss: BatchLoss,
  images: Float32Array,
  labels: ArrayLike<number>,
  lossVariables: readonly tf.Variable[] = [],
  instances?: ArrayLike<number>,
): StepResult & { scored: number } {
  const m = labels.length;
  let distances: Float32Array | undefined;
  const cost = tf.tidy(() => {
    const x = tf.tensor4d(images, [m, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const variables = [...model.tower.trainableWeights.map((w) => w.read() as tf.Variable), ...lossVariables];
    return optimizer.minimize(
      () => {
        const e = applyTower(model.tower, x, true) as tf.Tensor2D;
        distances = readTidy(() => pairwiseDistances(e, e));
        return loss(e, labels, instances);
      },
      true,
      variables,
    )!;
  });
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return { loss: value, correct: nearestSameLabel(distances!, labels), scored: m };
}

/** Rows of an m × m distance matrix whose nearest other column has the row's label. */
function nearestSameLabel(distances: Float32Array, labels: ArrayLike<number>): number {
  const m = labels.length;
  let correct = 0;
  for (let i = 0; i < m; i++) {
    let best = -1;
    for (let j = 0; j < m; j++) {
      if (j !== i && (best < 0 || distances[i * m + j]! < distances[i * m + best]!)) best = j;
    }
    if (best >= 0 && labels[best] === labels[i]) correct++;
  }
  return correct;
}
