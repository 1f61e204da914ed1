import * as tf from '@tensorflow/tfjs';
import {
  type BenchProtocol,
  buildSiamese,
  createOptimizer,
  createRng,
  embed,
  gatherImages,
  IMAGE_SIZE,
  indexByClass,
  lossFor,
  pairBatch,
  samplePairs,
  slicePairs,
  trainStep,
} from '@twinnet/core';
import type { Variant } from 'trainer/presets';
import type { BenchData } from '../data.ts';
import { PURPOSE, seedFor } from '../protocol.ts';
import { recipeOf } from '../recipe.ts';
import { timed } from '../timing.ts';

export interface ThroughputRaw {
  variant: Variant;
  towerParameters: number;
  /** One rate per timed round, per wall second and per CPU second. */
  trainPairsPerSecond: number[];
  trainPairsPerCpuSecond: number[];
  embedImagesPerSecond: number[];
  embedImagesPerCpuSecond: number[];
  latencyMs: number[];
}

/**
 * Training steps exactly as the trainer takes them (core's trainStep: gather, tower once over the 2n images,
 * head, loss, update), then inference throughput and single-pair latency of the same model.
 */
export function measureThroughput(data: BenchData, variant: Variant, protocol: BenchProtocol): ThroughputRaw {
  const recipe = recipeOf(variant);
  const budget = protocol.throughput[variant];
  const model = buildSiamese({
    tower: recipe.tower,
    head: recipe.head,
    embeddingDim: recipe.embeddingDim,
    seed: protocol.seed,
  });
  const optimizer = createOptimizer(recipe.optimizer, recipe.learningRate);
  const loss = lossFor(recipe.head, { margin: recipe.margin });
  const threshold = recipe.head === 'distance' ? recipe.margin / 2 : 0;
  const size = recipe.batchSize;
  const total = budget.warmupSteps + budget.steps * budget.rounds;
  const pairs = samplePairs(
    indexByClass(data.train.labels),
    size * total,
    createRng(seedFor(protocol.seed, PURPOSE.throughputPairs)),
  );
  const step = (k: number) => {
    const batch = slicePairs(pairs, k * size, (k + 1) * size);
    trainStep(
      model,
      optimizer,
      loss,
      pairBatch(data.train.images, batch, 0, batch.count),
      batch.same,
      threshold,
    );
  };
  let k = 0;
  for (; k < budget.warmupSteps; k++) step(k);
  const trainPairsPerSecond: number[] = [];
  const trainPairsPerCpuSecond: number[] = [];
  for (let round = 0; round < budget.rounds; round++) {
    const seconds = timed(() => {
      for (let s = 0; s < budget.steps; s++, k++) step(k);
    });
    trainPairsPerSecond.push((size * budget.steps) / seconds.wall);
    trainPairsPerCpuSecond.push((size * budget.steps) / seconds.cpu);
  }

  const batch = protocol.embedBatchSize;
  const perRound = batch * budget.embedBatches;
  const ids = (start: number, n: number) =>
    Int32Array.from({ length: n }, (_, i) => (start + i) % data.train.count);
  embed(model.tower, data.train.images, ids(0, batch), batch);
  const embedImagesPerSecond: number[] = [];
  const embedImagesPerCpuSecond: number[] = [];
  for (let round = 0; round < protocol.embedRounds; round++) {
    const seconds = timed(() =>
      embed(model.tower, data.train.images, ids(round * perRound, perRound), batch),
    );
    embedImagesPerSecond.push(perRound / seconds.wall);
    embedImagesPerCpuSecond.push(perRound / seconds.cpu);
  }

  const latencyMs: number[] = [];
  for (let call = 0; call < protocol.latencyWarmup + protocol.latencyCalls; call++) {
    const started = performance.now();
    const a = tf.tensor4d(gatherImages(data.train.images, [2 * call]), [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const b = tf.tensor4d(gatherImages(data.train.images, [2 * call + 1]), [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const out = model.pair.predict([a, b]) as tf.Tensor;
    out.dataSync();
    tf.dispose([a, b, out]);
    if (call >= protocol.latencyWarmup) latencyMs.push(performance.now() - started);
  }

  const towerParameters = model.tower.trainableWeights.reduce(
    (n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1),
    0,
  );
  model.pair.dispose();
  optimizer.dispose();
  return {
    variant,
    towerParameters,
    trainPairsPerSecond,
    trainPairsPerCpuSecond,
    embedImagesPerSecond,
    embedImagesPerCpuSecond,
    latencyMs,
  };
}
