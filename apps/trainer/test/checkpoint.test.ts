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
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint.ts';

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
