import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkRecipe,
  createRng,
  disposeObjective,
  disposeSiamese,
  type FitData,
  type FitResult,
  fit,
  LOSS_DEFAULTS,
  objectiveVariables,
  PIXELS,
  preset,
  type TrainRecipe,
} from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, parseState, saveCheckpoint } from '../src/checkpoint.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** 4 classes × 10 noisy images. */
function synthetic(): FitData {
  const rng = createRng(9);
  const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 4);
  const images = Uint8Array.from(
    { length: 40 * PIXELS },
    (_, i) => (labels[Math.floor(i / PIXELS)]! * 60 + rng.int(40)) % 256,
  );
  const split = { images, labels, count: 40 };
  return { train: split, validation: split, classes: [0, 1, 2, 3] };
}

const recipe = (kind: string): TrainRecipe =>
  checkRecipe({
    ...preset('mnist', 'contrastive'),
    epochs: 2,
    pairsPerEpoch: 48,
    batchSize: 16,
    loss: { ...LOSS_DEFAULTS, kind, margin: 1 },
  });

const everything = (r: FitResult) => [
  ...r.model.pair.getWeights().map((w) => Array.from(w.dataSync())),
  ...objectiveVariables(r.objective).map((v) => Array.from(v.dataSync())),
];

function release(r: FitResult) {
  disposeSiamese(r.model);
  r.optimizer.dispose();
  disposeObjective(r.objective);
}

describe('checkpoints on disk', () => {
  it.each(['contrastive', 'norm-softmax'])(
    'an aborted %s run resumed from its checkpoint folder ends with the uninterrupted weights and proxies',
    async (kind) => {
      const dir = join(await mkdtemp(join(tmpdir(), 'twinnet-checkpoint-')), 'run');
      const r = recipe(kind);
      const whole = await fit(r, synthetic());
      const stop = new AbortController();
      const first = await fit(r, synthetic(), {
        signal: stop.signal,
        onStep: (e) => {
          if (e.epoch === 2 && e.step === 3) stop.abort();
        },
        checkpoint: (model, optimizer, state, lossVariables) =>
          saveCheckpoint(dir, model, optimizer, r, state, lossVariables),
      });
      expect(first.status).toBe('aborted');
      const resumed = await fit(r, synthetic(), {
        restore: (model, optimizer, lossVariables) => loadCheckpoint(dir, model, optimizer, r, lossVariables),
      });
      expect(resumed.state.history.map((e) => e.epoch)).toEqual([1, 2]);
      expect(objectiveVariables(resumed.objective)).toHaveLength(kind === 'norm-softmax' ? 1 : 0);
      expect(everything(resumed)).toEqual(everything(whole));
      for (const result of [whole, first, resumed]) release(result);
    },
  );
});

describe('state.json', () => {
  const record = (epoch: number) => ({
    epoch,
    ...{ trainLoss: 0.1, trainAccuracy: 0.9, valLoss: 0.1, valAccuracy: 0.9, valThreshold: 0.5 },
    ...{ seconds: 1, pairsPerSecond: 100 },
  });
  const text = (state: object) => JSON.stringify({ run: 'r', recipe: {}, state, savedAt: 'now' });

  it('is refused, naming the folder, when its history and its counts disagree or a count is negative', () => {
    const ok = { epochsDone: 1, history: [record(1)], seconds: 1 };
    expect(parseState('/c', text(ok)).state.epochsDone).toBe(1);
    expect(() => parseState('/c', text({ ...ok, epochsDone: 2 }))).toThrow(
      /^\/c: state\.json says 2 epochs are done, but its history holds epochs \[1\]\. Train without --resume/,
    );
    expect(() => parseState('/c', text({ ...ok, history: [record(2)] }))).toThrow(
      /history holds epochs \[2\]/,
    );
    const partial = { epoch: 3, steps: 1, lossSum: 1, correct: 1, scored: 1, pairs: 1, seconds: 1 };
    expect(() => parseState('/c', text({ ...ok, partial }))).toThrow(
      /holds part of epoch 3, but the next epoch after 1 is 2/,
    );
    expect(() => parseState('/c', text({ ...ok, partial: { ...partial, epoch: 2, pairs: -1 } }))).toThrow(
      /state\.json does not match the checkpoint format \(state\.partial\.pairs: /,
    );
  });
});
