import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ARTIFACT_FILES,
  type BackendInfo,
  buildSiamese,
  chooseThreshold,
  cosineRate,
  createOptimizer,
  createRng,
  type EpisodeResult,
  type EpochRecord,
  embed,
  embeddingDim,
  embeddingSimilarity,
  episodeAccuracy,
  type History,
  indexByClass,
  lossFor,
  type Metrics,
  NonFiniteLossError,
  pairAccuracy,
  precisionAt1,
  rocAuc,
  rocCurve,
  samplePairs,
  scoreEmbeddedPairs,
  setLearningRate,
  trainEpoch,
} from '@twinnet/core';
import { saveModelToDir, writeJsonAtomic } from '@twinnet/core/node';
import { type Dataset, loadDataset, selectClasses, subset, validationSplit } from '@twinnet/datasets';
import { loadCheckpoint, recipeOf, saveCheckpoint } from './checkpoint.ts';
import { exportEmbeddings, scoreHistogram, selectPredictions } from './export.ts';
import type { TrainConfig } from './presets.ts';
import { epochProgress } from './progress.ts';

export interface RunContext {
  outDir: string;
  resume: boolean;
  backend: BackendInfo;
  log: (line: string) => void;
  /** Set when the user asks to stop (Ctrl-C): the run checkpoints and returns. */
  interrupted: () => boolean;
  /** Cache of loaded datasets, so six runs read each dataset once. */
  datasets: Map<string, Promise<Dataset>>;
}

export type RunOutcome = { status: 'done'; metrics: Metrics } | { status: 'interrupted'; epochsDone: number };

/** Independent seeded streams per purpose, so changing one (say, epochs) does not shift another. */
const stream = (seed: number, purpose: number) => createRng((seed * 7919 + purpose * 104729) >>> 0);
const EPOCH_STREAM = 1000;

export async function trainRun(config: TrainConfig, ctx: RunContext): Promise<RunOutcome> {
  const started = performance.now();
  const dir = join(ctx.outDir, config.run);
  await mkdir(dir, { recursive: true });
  const checkpointDir = join(dir, 'checkpoint');

  // Data: validation carved from the training split; held-out classes removed from training and validation.
  const data = await cachedDataset(ctx, config.dataset);
  const seen = range(10).filter((c) => !config.heldOutClasses.includes(c));
  const split = validationSplit(data.train, config.validationFraction, config.seed);
  let train = selectClasses(split.train, seen);
  if (config.trainSize > 0 && config.trainSize < train.count) {
    const order = Int32Array.from(range(train.count));
    shuffle(order, stream(config.seed, 1));
    train = subset(train, order.subarray(0, config.trainSize));
  }
  const validation = selectClasses(split.validation, seen);
  const trainIndex = indexByClass(train.labels, seen);
  const validationPairs = samplePairs(
    indexByClass(validation.labels, seen),
    config.validationPairs,
    stream(config.seed, 2),
  );

  // Model: one tower shared by both inputs, a head, the loss that goes with it.
  const model = buildSiamese({
    tower: config.tower,
    head: config.head,
    embeddingDim: config.embeddingDim,
    seed: config.seed,
  });
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const loss = lossFor(config.head, { margin: config.margin });
  const runningThreshold = config.head === 'distance' ? config.margin / 2 : 0;

  let history: EpochRecord[] = [];
  let epochsDone = 0;
  let trainSeconds = 0;
  if (ctx.resume) {
    const state = await loadCheckpoint(checkpointDir, model, optimizer, config);
    if (state) {
      ({ history, epochsDone } = state);
      trainSeconds = state.seconds;
      ctx.log(`${config.run}: resuming after epoch ${epochsDone} of ${config.epochs}`);
    } else {
      ctx.log(`${config.run}: no checkpoint in ${checkpointDir}; starting from scratch`);
    }
  }
  const checkpoint = () =>
    saveCheckpoint(checkpointDir, model, optimizer, {
      run: config.run,
      epochsDone,
      history,
      recipe: recipeOf(config),
      seconds: trainSeconds,
      savedAt: new Date().toISOString(),
    });

  ctx.log(
    `${config.run}: ${config.tower} tower, ${config.head} head, ${train.count} training images of classes ${seen.join(',')}, ` +
      `${config.epochs} epochs × ${epochWork(config, seen.length)}, batch ${config.batchSize}, ` +
      `${config.optimizer} lr ${config.learningRate}`,
  );
  for (let epoch = epochsDone + 1; epoch <= config.epochs; epoch++) {
    setLearningRate(optimizer, cosineRate(config.learningRate, epoch, config.epochs));
    const steps = Math.ceil(
      (config.pairing === 'explicit' ? config.pairsPerEpoch : 2 * config.pairsPerEpoch) / config.batchSize,
    );
    const progress = epochProgress(`${config.run} epoch ${epoch}/${config.epochs}`, steps);
    let stats: Awaited<ReturnType<typeof trainEpoch>>;
    try {
      stats = await trainEpoch(model, {
        images: train.images,
        index: trainIndex,
        pairsPerEpoch: config.pairsPerEpoch,
        batchSize: config.batchSize,
        optimizer,
        loss,
        rng: stream(config.seed, EPOCH_STREAM + epoch),
        threshold: runningThreshold,
        mode:
          config.pairing === 'explicit'
            ? { kind: 'explicit' }
            : { kind: 'in-batch', classesPerBatch: seen.length, balance: true },
        stepOffset: (epoch - 1) * Math.ceil(config.pairsPerEpoch / config.batchSize),
        onStep: ({ step, pairs, loss: running }) => {
          progress.update(step, pairs, running);
          return ctx.interrupted();
        },
      });
    } catch (error) {
      progress.stop();
      if (error instanceof NonFiniteLossError) {
        throw new Error(
          `${config.run}: ${error.message}. The last good checkpoint (after epoch ${epochsDone}) is kept in ${checkpointDir}.`,
        );
      }
      throw error;
    }
    progress.stop();
    trainSeconds += stats.seconds;
    if (stats.stopped) {
      await checkpoint();
      ctx.log(`${config.run}: interrupted in epoch ${epoch}; checkpoint saved. Continue with --resume.`);
      return { status: 'interrupted', epochsDone };
    }
    const validationEmbeddings = embed(model.tower, validation.images);
    const scored = scoreEmbeddedPairs(model, validationEmbeddings, validationPairs, loss);
    const choice = chooseThreshold(scored.scores, validationPairs.same, model.polarity);
    history = [
      ...history,
      {
        epoch,
        trainLoss: stats.loss,
        trainAccuracy: stats.accuracy,
        valLoss: scored.loss,
        valAccuracy: choice.accuracy,
        valThreshold: choice.threshold,
        seconds: stats.seconds,
        pairsPerSecond: stats.pairsPerSecond,
      },
    ];
    epochsDone = epoch;
    await checkpoint();
    ctx.log(
      `${config.run} epoch ${epoch}/${config.epochs}: loss ${stats.loss.toFixed(4)}, val loss ${scored.loss.toFixed(4)}, ` +
        `val acc ${(100 * choice.accuracy).toFixed(2)}%, ${stats.pairsPerSecond.toFixed(0)} pairs/s, ${stats.seconds.toFixed(1)} s`,
    );
  }

  // Evaluation on the canonical test split, at the threshold chosen on validation pairs.
  const last = history.at(-1);
  if (!last) throw new Error(`${config.run}: no epoch was trained (epochs = ${config.epochs})`);
  const threshold = last.valThreshold;
  const testEmbeddings = embed(model.tower, data.test.images);
  const dim = embeddingDim(model.tower);
  const testPairs = samplePairs(
    indexByClass(data.test.labels, seen),
    config.testPairs,
    stream(config.seed, 3),
  );
  const test = scoreEmbeddedPairs(model, testEmbeddings, testPairs, loss);
  const similarity = embeddingSimilarity(model, testEmbeddings);
  const episodes = (classes: number[], ways: number, shots: number, purpose: number): EpisodeResult =>
    episodeAccuracy({
      labels: data.test.labels,
      classes,
      ways,
      shots,
      episodes: config.episodes,
      rng: stream(config.seed, purpose),
      similarity,
    });
  const unseen = config.heldOutClasses;
  const oneShot = {
    heldOutClasses: unseen,
    unseen:
      unseen.length >= 2
        ? [episodes(unseen, unseen.length, 1, 4), episodes(unseen, unseen.length, 5, 5)]
        : [],
    allClasses: episodes(range(10), 10, 1, 6),
  };
  const points = Math.min(config.embedPoints, data.test.count);
  const umapStarted = performance.now();
  await exportEmbeddings(
    dir,
    testEmbeddings,
    dim,
    data.test.labels,
    data.test.images,
    points,
    config.seed,
    stream(config.seed, 7),
  );
  const umapSeconds = (performance.now() - umapStarted) / 1000;

  await saveModelToDir(model.tower, join(dir, 'tower'));
  await saveModelToDir(model.pair, join(dir, 'pair'));
  const historyFile: History = { run: config.run, epochs: history };
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.history), historyFile);
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.predictions), {
    run: config.run,
    polarity: model.polarity,
    threshold,
    pairs: selectPredictions(
      {
        pairs: testPairs,
        scores: test.scores,
        labels: data.test.labels,
        images: data.test.images,
        threshold,
        polarity: model.polarity,
      },
      stream(config.seed, 8),
    ),
  });
  const metrics: Metrics = {
    run: config.run,
    dataset: config.dataset,
    variant: config.variant,
    tower: config.tower,
    head: config.head,
    polarity: model.polarity,
    heldOutClasses: unseen,
    classNames: [...data.classNames],
    test: {
      pairs: testPairs.count,
      accuracy: pairAccuracy(test.scores, testPairs.same, threshold, model.polarity),
      loss: test.loss,
      auc: rocAuc(test.scores, testPairs.same, model.polarity),
      threshold,
      precisionAt1: precisionAt1(
        testEmbeddings.subarray(0, points * dim),
        data.test.labels.subarray(0, points),
        dim,
      ),
    },
    validation: { pairs: validationPairs.count, accuracy: last.valAccuracy, threshold },
    oneShot,
    roc: rocCurve(test.scores, testPairs.same, model.polarity),
    histogram: scoreHistogram(test.scores, testPairs.same),
    training: {
      epochs: history.length,
      pairsPerEpoch: config.pairsPerEpoch,
      batchSize: config.batchSize,
      optimizer: config.optimizer,
      learningRate: config.learningRate,
      trainImages: train.count,
      validationImages: validation.count,
      seconds: trainSeconds,
    },
    backend: describeBackend(ctx.backend),
    seed: config.seed,
    versions: { node: process.versions.node, tfjs: tf.version.tfjs, twinnet: '0.1.0' },
    gitCommit: gitCommit(),
    wallSeconds: (performance.now() - started) / 1000,
    createdAt: new Date().toISOString(),
  };
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.metrics), metrics);
  ctx.log(
    `${config.run}: test accuracy ${(100 * metrics.test.accuracy).toFixed(2)}%, loss ${metrics.test.loss.toFixed(4)}, ` +
      `AUC ${metrics.test.auc.toFixed(4)}, 10-way 1-shot ${(100 * oneShot.allClasses.accuracy).toFixed(1)}%` +
      oneShot.unseen
        .map(
          (r) =>
            `, unseen ${r.ways}-way ${r.shots}-shot ${(100 * r.accuracy).toFixed(1)}% ±${(100 * r.ci95).toFixed(1)}`,
        )
        .join('') +
      ` (UMAP ${umapSeconds.toFixed(0)} s, wall ${metrics.wallSeconds.toFixed(0)} s)`,
  );
  model.pair.dispose();
  optimizer.dispose();
  return { status: 'done', metrics };
}

function cachedDataset(ctx: RunContext, name: Dataset['name']): Promise<Dataset> {
  let pending = ctx.datasets.get(name);
  if (!pending) {
    pending = loadDataset(name);
    ctx.datasets.set(name, pending);
  }
  return pending;
}

export function describeBackend(info: BackendInfo): string {
  if (info.name !== 'wasm') return info.name;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return info.native !== undefined
    ? `wasm + native kernels (${info.native}, ${threads})`
    : `wasm (${info.simd ? 'simd' : 'no simd'}, ${threads})`;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function shuffle(items: Int32Array, rng: { int(n: number): number }): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * What one epoch does, in the pairing's own terms: in-batch epochs take as many steps as the explicit pairs
 * would, each of `classes` × ⌊batch / classes⌋ images (trainEpoch's arithmetic), every pair inside scored.
 */
function epochWork(config: TrainConfig, classes: number): string {
  if (config.pairing === 'explicit') return `${config.pairsPerEpoch} explicit pairs`;
  const steps = Math.ceil((2 * config.pairsPerEpoch) / config.batchSize);
  const perStep = classes * Math.max(2, Math.floor(config.batchSize / classes));
  return `${steps} steps of ${perStep} images (in-batch: all ${(perStep * (perStep - 1)) / 2} pairs in each)`;
}
