import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BackendInfo,
  HistorySchema,
  initBackend,
  MetricsSchema,
  PredictionsSchema,
  UmapSchema,
} from '@twinnet/core';
import { loadModelFromDir, readJsonArtifact } from '@twinnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { preset, type TrainConfig } from '../src/presets.ts';
import { type RunContext, trainRun } from '../src/run.ts';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm', { log: () => {} });
});

/** A tiny but complete run: a few hundred images, two short epochs, small evaluations. */
function tiny(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...preset('mnist', 'contrastive', true),
    epochs: 2,
    pairsPerEpoch: 256,
    batchSize: 32,
    trainSize: 600,
    validationPairs: 200,
    testPairs: 200,
    episodes: 20,
    embedPoints: 60,
    ...overrides,
  };
}

function context(outDir: string, overrides: Partial<RunContext> = {}): RunContext {
  return {
    outDir,
    resume: false,
    backend,
    log: () => {},
    interrupted: () => false,
    datasets: new Map(),
    ...overrides,
  };
}

describe('trainRun', () => {
  it('writes every artifact, valid against the shared schemas, with models that load back', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-run-'));
    const outcome = await trainRun(tiny(), context(out));
    expect(outcome.status).toBe('done');
    const dir = join(out, 'mnist-contrastive-holdout');
    const metrics = await readJsonArtifact(MetricsSchema, join(dir, 'metrics.json'));
    expect(metrics.heldOutClasses).toEqual([7, 8, 9]);
    expect(metrics.oneShot?.unseen.map((r) => [r.ways, r.shots])).toEqual([
      [3, 1],
      [3, 5],
    ]);
    expect(metrics.backend).toMatch(/^wasm/);
    expect((await readJsonArtifact(HistorySchema, join(dir, 'history.json'))).epochs).toHaveLength(2);
    const predictions = await readJsonArtifact(PredictionsSchema, join(dir, 'predictions.json'));
    expect(predictions.pairs.length).toBeGreaterThan(0);
    expect((await readJsonArtifact(UmapSchema, join(dir, 'umap.json'))).count).toBe(60);
    const tower = await loadModelFromDir(join(dir, 'tower'));
    const pair = await loadModelFromDir(join(dir, 'pair'));
    expect(tower.outputs[0]!.shape).toEqual([null, 10]);
    expect(pair.inputs).toHaveLength(2);
    // Nothing temporary is left beside the artifacts.
    expect((await readdir(dir)).filter((f) => f.includes('.tmp') || f.includes('.old'))).toEqual([]);
  });

  it('checkpoints on interrupt and resumes to the same epoch count', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-resume-'));
    // Interrupt a few steps into epoch 2, whatever the preset's pairing makes an epoch's step count.
    let epochOneDone = false;
    let stepsAfter = 0;
    const first = await trainRun(
      tiny(),
      context(out, {
        log: (line) => {
          if (/ epoch 1\/2:/.test(line)) epochOneDone = true;
        },
        interrupted: () => epochOneDone && ++stepsAfter > 3,
      }),
    );
    expect(first).toEqual({ status: 'interrupted', epochsDone: 1 });
    const state = JSON.parse(
      await readFile(join(out, 'mnist-contrastive-holdout', 'checkpoint', 'state.json'), 'utf8'),
    );
    expect(state.epochsDone).toBe(1);
    const logs: string[] = [];
    const second = await trainRun(tiny(), context(out, { resume: true, log: (line) => logs.push(line) }));
    expect(second.status).toBe('done');
    expect(logs[0]).toMatch(/resuming after epoch 1 of 2/);
    const history = await readJsonArtifact(
      HistorySchema,
      join(out, 'mnist-contrastive-holdout', 'history.json'),
    );
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
  });

  it('refuses to resume a checkpoint made with other settings', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-mismatch-'));
    await trainRun(tiny({ epochs: 1 }), context(out));
    await expect(trainRun(tiny({ seed: 7 }), context(out, { resume: true }))).rejects.toThrow(
      /made with seed=42, this run has 7/,
    );
  });

  it('stops on a NaN loss with a clear message and keeps the last good checkpoint', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-nan-'));
    await trainRun(tiny({ epochs: 1 }), context(out));
    const checkpoint = join(out, 'mnist-contrastive-holdout', 'checkpoint');
    const before = await readFile(join(checkpoint, 'model.bin'));
    // A NaN margin makes the loss NaN on the first step of epoch 2.
    await expect(
      trainRun(tiny({ epochs: 2, margin: Number.NaN }), context(out, { resume: true })),
    ).rejects.toThrow(/loss became NaN.*last good checkpoint \(after epoch 1\) is kept/);
    expect(JSON.parse(await readFile(join(checkpoint, 'state.json'), 'utf8')).epochsDone).toBe(1);
    expect(Buffer.compare(await readFile(join(checkpoint, 'model.bin')), before)).toBe(0);
  });
});

describe('metrics schema', () => {
  it('rejects a metrics file with a NaN or a missing field, naming the file', async () => {
    const { parseArtifact } = await import('@twinnet/core');
    expect(() => parseArtifact(MetricsSchema, '{"run": "x"}', 'metrics.json')).toThrow(
      /metrics.json: does not match/,
    );
    expect(() => parseArtifact(MetricsSchema, '{', 'broken.json')).toThrow(/broken.json: not valid JSON/);
  });
});
