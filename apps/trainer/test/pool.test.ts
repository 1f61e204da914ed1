import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRecipe, defaultRecipes, preset, type TrainRecipe } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { dispatchOrder, type PoolOptions, runPool } from '../src/pool.ts';

const tiny = (dataset: 'mnist' | 'fashion-mnist'): TrainRecipe =>
  checkRecipe({
    ...preset(dataset, 'contrastive'),
    epochs: 1,
    pairsPerEpoch: 64,
    batchSize: 32,
    data: { trainSize: 300, validationFraction: 1 / 12 },
    evaluation: { validationPairs: 100, testPairs: 100, episodes: 10, embedPoints: 30 },
  });

const options = (outDir: string, extra: Partial<PoolOptions> = {}): PoolOptions => ({
  jobs: 2,
  outDir,
  resume: false,
  backend: 'wasm',
  provenance: { gitCommit: 'test', gitDirty: false },
  log: () => {},
  onInterrupt: () => {},
  ...extra,
});

describe('dispatchOrder', () => {
  it('starts the costliest runs first (images × tower cost × fits), ties in config order', () => {
    const runs = defaultRecipes();
    const names = dispatchOrder(runs).map((i) => runs[i]!.run);
    expect(names).toEqual([
      'fashion-mnist-bce',
      'mnist-bce',
      'mnist-contrastive',
      'fashion-mnist-contrastive',
      'mnist-metric',
      'fashion-mnist-metric',
      'mnist-metric-holdout',
      'fashion-mnist-metric-holdout',
      'mnist-contrastive-holdout',
      'fashion-mnist-contrastive-holdout',
    ]);
  });
});

describe('runPool', () => {
  it('trains runs in parallel worker threads and returns their results in order', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'twinnet-pool-'));
    const lines: string[] = [];
    const outcomes = await runPool(
      [tiny('mnist'), tiny('fashion-mnist')],
      options(outDir, { log: (line) => lines.push(line) }),
    );
    expect(outcomes.map((o) => (o.status === 'done' ? o.metrics.run : o.status))).toEqual([
      'mnist-contrastive',
      'fashion-mnist-contrastive',
    ]);
    expect(lines.some((line) => line.startsWith('fashion-mnist-contrastive: test accuracy'))).toBe(true);
  });

  it('gives a run still going the cores of the lanes that are done, once no run is left to start', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'twinnet-pool-'));
    const lines: string[] = [];
    // The long run starts first (costliest first) and is still training when the short one's lane runs dry.
    const long = checkRecipe({
      ...tiny('fashion-mnist'),
      epochs: 2,
      pairsPerEpoch: 2000,
      data: { trainSize: 2000, validationFraction: 1 / 12 },
    });
    await runPool(
      [tiny('mnist'), long],
      options(outDir, { backend: 'native', threadsPerRun: 1, log: (line) => lines.push(line) }),
    );
    expect(lines).toContain(
      'fashion-mnist-contrastive: no other run left to start; its native kernels now use 2 threads',
    );
    expect(lines.some((line) => line.startsWith('mnist-contrastive: no other run'))).toBe(false);
  });

  it('reports a failing run as an error naming it', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'twinnet-pool-'));
    // A recipe from a file or the API that skipped checkRecipe: the worker's error names the run.
    const broken = {
      ...tiny('mnist'),
      tower: { kind: 'missing', embeddingDim: 10, width: 1, readout: 'output' as const },
    };
    await expect(runPool([broken], options(outDir, { jobs: 1 }))).rejects.toThrow(
      /mnist-contrastive.*unknown tower 'missing'|unknown tower 'missing'/,
    );
  });
});
