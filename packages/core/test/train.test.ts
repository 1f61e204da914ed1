import * as tf from '@tensorflow/tfjs';
import { loadDataset, subset, validationSplit } from '@twinnet/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.ts';
import { scorePairs } from '../src/evaluate.ts';
import { lossFor } from '../src/losses.ts';
import { chooseThreshold } from '../src/metrics/threshold.ts';
import { buildSiamese, disposeSiamese } from '../src/model.ts';
import { indexByClass, samplePairs } from '../src/pairs.ts';
import { createRng } from '../src/random.ts';
import { cosineRate, setLearningRate } from '../src/schedule.ts';
import { createOptimizer, NonFiniteLossError, trainEpoch } from '../src/train.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('training', () => {
  it('learns: a short seeded run of the small tower on ~2,000 MNIST pairs beats 80% validation accuracy', async () => {
    const mnist = await loadDataset('mnist');
    const { train, validation } = validationSplit(subset(mnist.train, range(6000)), 1 / 12, 1);
    const model = buildSiamese({ tower: 'small', head: 'distance', seed: 1 });
    const optimizer = createOptimizer('adam', 0.002);
    const loss = lossFor('distance');
    const rng = createRng(1);
    const index = indexByClass(train.labels);
    const baseline = tf.memory().numTensors;
    // 4 epochs × 512 fresh pairs = 2,048 pairs, with the trainer's cosine decay.
    for (let epoch = 1; epoch <= 4; epoch++) {
      setLearningRate(optimizer, cosineRate(0.002, epoch, 4));
      await trainEpoch(model, {
        images: train.images,
        index,
        pairsPerEpoch: 512,
        batchSize: 16,
        optimizer,
        loss,
        rng,
        threshold: 0.5,
      });
    }
    const pairs = samplePairs(indexByClass(validation.labels), 2000, createRng(2));
    const { scores } = scorePairs(model, validation.images, pairs, loss);
    const { accuracy } = chooseThreshold(scores, pairs.same, model.polarity);
    console.log(
      `smoke test: validation pair accuracy ${(100 * accuracy).toFixed(1)}% after 2,048 training pairs`,
    );
    expect(accuracy).toBeGreaterThan(0.8);
    // Optimizer slots (Adam: two per variable, plus its step counters) are the only tensors training may add.
    const slots = (await optimizer.getWeights()).length;
    expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline + slots + 2);
    optimizer.dispose();
    disposeSiamese(model);
  });

  it('stops with NonFiniteLossError when the loss is not finite', async () => {
    const labels = Uint8Array.from({ length: 64 }, (_, i) => i % 4);
    // Pixels are bytes, so corrupt the loss instead: a NaN margin makes every negative's term NaN.
    const model = buildSiamese({ tower: 'small', head: 'distance', seed: 2 });
    const optimizer = createOptimizer('sgd', 0.01);
    const run = trainEpoch(model, {
      images: new Uint8Array(64 * 784).fill(7),
      index: indexByClass(labels),
      pairsPerEpoch: 32,
      batchSize: 16,
      optimizer,
      loss: lossFor('distance', { margin: Number.NaN }),
      rng: createRng(3),
      threshold: 0.5,
    });
    await expect(run).rejects.toBeInstanceOf(NonFiniteLossError);
    await expect(run).rejects.toThrow(/loss became NaN at step 1/);
    disposeSiamese(model);
  });
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
