import {
  type BenchProtocol,
  buildSiamese,
  chooseThreshold,
  cosineRate,
  createOptimizer,
  createRng,
  embed,
  indexByClass,
  lossFor,
  samplePairs,
  scoreEmbeddedPairs,
  setLearningRate,
  trainEpoch,
} from '@twinnet/core';
import { preset } from 'trainer/presets';
import type { BenchData } from '../data.ts';
import { pairsDigest } from '../digest.ts';
import { PURPOSE, seedFor } from '../protocol.ts';

export interface TtaPointRaw {
  pairs: number;
  seconds: number;
  accuracy: number;
}

export interface TtaRaw {
  recipe: {
    tower: 'small' | 'deep';
    head: 'distance' | 'mlp';
    embeddingDim: number;
    optimizer: string;
    learningRate: number;
    margin: number;
    batchSize: number;
    pairsPerEpoch: number;
  };
  pairing: string;
  epochs: number;
  reached: boolean;
  seconds: number | null;
  pairs: number | null;
  wallSeconds: number;
  curve: TtaPointRaw[];
  validationDigest: string;
  /** Why the run ended: the target, the cap, or the preset's last epoch. */
  stoppedBy: 'target' | 'cap' | 'epochs';
}

/**
 * The trainer's mnist-contrastive preset, epoch by epoch as trainRun takes them (cosine rate per epoch, the
 * preset's pairing), with validation accuracy checked every `evalEveryPairs` pairs on fixed seeded pairs of the
 * validation split, at the threshold that is best on those pairs. Evaluation time is not counted.
 */
export async function timeToAccuracy(data: BenchData, protocol: BenchProtocol): Promise<TtaRaw> {
  const config = { ...preset('mnist', 'contrastive'), ...protocol.tta.ours };
  const { tta, seed } = protocol;
  const model = buildSiamese({
    tower: config.tower,
    head: config.head,
    embeddingDim: config.embeddingDim,
    seed,
  });
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const loss = lossFor(config.head, { margin: config.margin });
  const index = indexByClass(data.train.labels);
  const validationPairs = samplePairs(
    indexByClass(data.validation.labels),
    tta.validationPairs,
    createRng(seedFor(seed, PURPOSE.ttaValidationPairs)),
  );
  const rng = createRng(seedFor(seed, PURPOSE.ttaPairs));
  const curve: TtaPointRaw[] = [];
  const started = performance.now();
  let evalMs = 0;
  let pairsBefore = 0;
  let nextEval = tta.evalEveryPairs;
  // An object, because the step callback sets it and a plain `let` would stay narrowed to 'epochs' here.
  const state: { stoppedBy: TtaRaw['stoppedBy'] } = { stoppedBy: 'epochs' };
  // Explicit pairs put 2 images per pair through the tower; in-batch counts as images ÷ 2 pair equivalents.
  const pairsAt = (step: number, pairs: number) =>
    config.pairing === 'explicit' ? pairs : (step * config.batchSize) / 2;

  for (let epoch = 1; epoch <= config.epochs && state.stoppedBy === 'epochs'; epoch++) {
    setLearningRate(optimizer, cosineRate(config.learningRate, epoch, config.epochs));
    let epochPairs = 0;
    await trainEpoch(model, {
      images: data.train.images,
      index,
      pairsPerEpoch: config.pairsPerEpoch,
      batchSize: config.batchSize,
      optimizer,
      loss,
      rng,
      threshold: config.head === 'distance' ? config.margin / 2 : 0,
      mode:
        config.pairing === 'explicit'
          ? { kind: 'explicit' }
          : { kind: 'in-batch', classesPerBatch: index.classes.length, balance: true },
      onStep: ({ step, pairs }) => {
        epochPairs = pairsAt(step, pairs);
        const total = pairsBefore + epochPairs;
        if (total >= nextEval) {
          nextEval += tta.evalEveryPairs;
          const evalStarted = performance.now();
          const scored = scoreEmbeddedPairs(
            model,
            embed(model.tower, data.validation.images),
            validationPairs,
            loss,
          );
          const { accuracy } = chooseThreshold(scored.scores, validationPairs.same, model.polarity);
          const now = performance.now();
          evalMs += now - evalStarted;
          curve.push({ pairs: total, seconds: (now - started - evalMs) / 1000, accuracy });
          console.error(
            `[twinnet] tta: ${total} pairs, ${curve.at(-1)!.seconds.toFixed(1)} s, val acc ${(100 * accuracy).toFixed(2)}%`,
          );
          if (accuracy >= tta.target) state.stoppedBy = 'target';
        }
        if (state.stoppedBy === 'epochs' && performance.now() - started >= tta.capSeconds * 1000)
          state.stoppedBy = 'cap';
        return state.stoppedBy !== 'epochs';
      },
    });
    pairsBefore += epochPairs;
  }
  const reached = state.stoppedBy === 'target' ? curve.at(-1)! : undefined;
  model.pair.dispose();
  optimizer.dispose();
  return {
    recipe: {
      tower: config.tower,
      head: config.head,
      embeddingDim: config.embeddingDim,
      optimizer: config.optimizer,
      learningRate: config.learningRate,
      margin: config.margin,
      batchSize: config.batchSize,
      pairsPerEpoch: config.pairsPerEpoch,
    },
    pairing: config.pairing,
    epochs: config.epochs,
    reached: reached !== undefined,
    seconds: reached?.seconds ?? null,
    pairs: reached?.pairs ?? null,
    wallSeconds: (performance.now() - started) / 1000,
    curve,
    validationDigest: pairsDigest(validationPairs),
    stoppedBy: state.stoppedBy,
  };
}
