import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchOrder, runPool } from '../src/pool.ts';
import { defaultRuns, preset, type TrainConfig } from '../src/presets.ts';

const tiny = (dataset: 'mnist' | 'fashion-mnist'): TrainConfig => ({
  ...preset(dataset, 'contrastive'),
  backend: 'wasm',
  epochs: 1,
  pairsPerEpoch: 64,
  batchSize: 32,
  trainSize: 300,
  validationPairs: 100,
  testPairs: 100,
  episodes: 10,
  embedPoints: 30,
});

describe('dispatchOrder', () => {
  it('starts the deep-tower runs first, then the others in config order', () => {
    const runs = defaultRuns();
    const names = dispatchOrder(runs).map((i) => runs[i]!.run);
    expect(names).toEqual([
      'fashion-mnist-bce',
      'mnist-bce',
      'mnist-contrastive',
      'fashion-mnist-contrastive',
      'mnist-contrastive-holdout',
      'fashion-mnist-contrastive-holdout',
    ]);
  });
});

describe('runPool', () => {
  it('trains runs in parallel worker threads and returns their results in order', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'twinnet-pool-'));
    const lines: string[] = [];
    const outcomes = await runPool([tiny('mnist'), tiny('fashion-mnist')], {
      jobs: 2,
      outDir,
      resume: false,
      log: (line) => lines.push(line),
      onInterrupt: () => {},
    });
    expect(outcomes.map((o) => (o.status === 'done' ? o.metrics.run : o.status))).toEqual([
      'mnist-contrastive',
      'fashion-mnist-contrastive',
    ]);
    expect(lines.some((line) => line.startsWith('fashion-mnist-contrastive: test accuracy'))).toBe(true);
  });

  it('reports a failing run as an error naming it', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'twinnet-pool-'));
    const broken = { ...tiny('mnist'), margin: Number.NaN };
    await expect(
      runPool([broken], { jobs: 1, outDir, resume: false, log: () => {}, onInterrupt: () => {} }),
    ).rejects.toThrow(/mnist-contrastive: loss became NaN/);
  });
});
