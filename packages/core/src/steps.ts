import * as tf from '@tensorflow/tfjs';
import { KernelAdam } from './adam.ts';
import { pairBatch } from './evaluate.ts';
import { gatherImages, IMAGE_SIZE } from './images.ts';
import { type InBatchOptions, inBatchLoss, sampleClassBatch } from './inbatch.ts';
import type { PairLoss } from './losses.ts';
import { predictsSame } from './metrics/threshold.ts';
import { type SiameseModel, trainableVariables } from './model.ts';
import { type ClassIndex, samplePairs, slicePairs } from './pairs.ts';
import type { Rng } from './random.ts';

export type OptimizerName = 'rmsprop' | 'adam' | 'sgd';

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new Error(`learning rate must be a positive number, got ${learningRate}`);
  }
  switch (name) {
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adam':
      // tf.train.adam's defaults (β1 0.9, β2 0.999, the backend's ε), one kernel per variable where it can.
      return new KernelAdam(learningRate, 0.9, 0.999);
    case 'sgd':
      return tf.train.sgd(learningRate);
  }
}

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
        const e = model.tower.apply(x, { training: true }) as tf.Tensor;
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
  let correct = 0;
  for (let i = 0; i < n; i++)
    if (predictsSame(outputs![i]!, threshold, model.polarity) === (same[i] === 1)) correct++;
  return { loss: value, correct };
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
        const e = model.tower.apply(x, { training: true }) as tf.Tensor;
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
  let correct = 0;
  for (let i = 0; i < same!.length; i++) {
    if (predictsSame(outputs![i]!, threshold, model.polarity) === (same![i] === 1)) correct++;
  }
  return { loss: value, correct, pairs: same!.length };
}

/** How an epoch forms its pairs: explicit balanced pairs, or all pairs inside P×K class batches. */
export type PairMode =
  | { kind: 'explicit' }
  | ({ kind: 'in-batch'; classesPerBatch: number } & InBatchOptions);

export interface EpochOptions {
  images: Uint8Array;
  index: ClassIndex;
  pairsPerEpoch: number;
  batchSize: number;
  optimizer: tf.Optimizer;
  loss: PairLoss;
  /** Fresh pairs are drawn from this generator each epoch. */
  rng: Rng;
  /** Threshold for the running training accuracy (margin/2 for distances, 0 for logits). */
  threshold: number;
  /** Called after every step; return true to stop the epoch early (e.g. on Ctrl-C). */
  onStep?: (progress: { step: number; steps: number; pairs: number; loss: number }) => boolean | undefined;
  /** Steps taken before this epoch, for error messages. */
  stepOffset?: number;
  /**
   * Explicit pairs (default): pairsPerEpoch balanced pairs in batches of batchSize pairs. In-batch: as many steps
   * as 2 × pairsPerEpoch images make at batchSize, each step classesPerBatch × ⌊batchSize / classesPerBatch⌋
   * images (10 × 6 = 60 of 64), so an epoch pushes slightly fewer images than its explicit twin.
   */
  mode?: PairMode;
}

export interface EpochStats {
  loss: number;
  accuracy: number;
  pairs: number;
  seconds: number;
  pairsPerSecond: number;
  stopped: boolean;
}

/** One epoch over freshly sampled pairs. Throws NonFiniteLossError as soon as a loss is not finite. */
export async function trainEpoch(model: SiameseModel, options: EpochOptions): Promise<EpochStats> {
  const { images, index, pairsPerEpoch, batchSize, optimizer, loss, rng, threshold } = options;
  const mode = options.mode ?? { kind: 'explicit' };
  const pairs = mode.kind === 'explicit' ? samplePairs(index, pairsPerEpoch, rng) : undefined;
  const steps = pairs ? Math.ceil(pairs.count / batchSize) : Math.ceil((2 * pairsPerEpoch) / batchSize);
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let stopped = false;
  for (let step = 0; step < steps; step++) {
    let result: StepResult;
    let count: number;
    if (mode.kind === 'explicit') {
      const batch = slicePairs(pairs!, step * batchSize, (step + 1) * batchSize);
      result = trainStep(
        model,
        optimizer,
        loss,
        pairBatch(images, batch, 0, batch.count),
        batch.same,
        threshold,
      );
      count = batch.count;
    } else {
      const perClass = Math.max(2, Math.floor(batchSize / mode.classesPerBatch));
      const ids = sampleClassBatch(index, mode.classesPerBatch, perClass, rng);
      const labels = Uint8Array.from(ids, (_, i) => Math.floor(i / perClass));
      const inBatch = trainStepInBatch(
        model,
        optimizer,
        loss,
        gatherImages(images, ids),
        labels,
        mode,
        threshold,
      );
      result = inBatch;
      count = inBatch.pairs;
    }
    if (!Number.isFinite(result.loss))
      throw new NonFiniteLossError(result.loss, (options.stepOffset ?? 0) + step + 1);
    lossSum += result.loss * count;
    correct += result.correct;
    seen += count;
    if (options.onStep?.({ step: step + 1, steps, pairs: seen, loss: lossSum / seen })) {
      stopped = true;
      break;
    }
    // Yield to the event loop now and then so signals (Ctrl-C) and progress output get through.
    if (step % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    loss: lossSum / seen,
    accuracy: correct / seen,
    pairs: seen,
    seconds,
    pairsPerSecond: seen / seconds,
    stopped,
  };
}
