import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type BackendInfo,
  checkRecipe,
  contrastiveLoss,
  HistorySchema,
  LOSS_DEFAULTS,
  LOSSES,
  MetricsSchema,
  PredictionsSchema,
  preset,
  type TrainRecipe,
  UmapSchema,
} from '@twinnet/core';
import { initBackend, loadModelFromDir, Matcher, readJsonArtifact } from '@twinnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointDir, type RunContext, trainRun } from '../src/run.ts';
import { writeRunFolder } from '../src/run-folder.ts';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm', { log: () => {} });
});

/** A tiny but complete run: a few hundred images, two short epochs, small evaluations. */
function tiny(overrides: Partial<TrainRecipe> = {}): TrainRecipe {
  const base = preset('mnist', 'contrastive', true);
  return checkRecipe({
    ...base,
    epochs: 2,
    pairsPerEpoch: 256,
    batchSize: 32,
    data: { ...base.data, trainSize: 600 },
    evaluation: { validationPairs: 200, testPairs: 200, episodes: 20, embedPoints: 60 },
    ...overrides,
  });
}

/** A tiny transfer run: cosine head, supcon, validation classes 5 and 6 (held out: 7, 8, 9). */
function cosineTransfer(overrides: Partial<TrainRecipe> = {}): TrainRecipe {
  const base = tiny();
  return checkRecipe({
    ...base,
    validationClasses: [5, 6],
    head: { ...base.head, kind: 'cosine' },
    loss: { ...base.loss, kind: 'supcon' },
    tower: { ...base.tower, embeddingDim: 16 },
    ...overrides,
  });
}

function context(outDir: string, overrides: Partial<RunContext> = {}): RunContext {
  return {
    outDir,
    resume: false,
    backend,
    log: () => {},
    datasets: new Map(),
    provenance: { gitCommit: 'abc123', gitDirty: true },
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
    expect(metrics.recipe.heldOutClasses).toEqual([7, 8, 9]);
    expect(metrics).toMatchObject({ gitCommit: 'abc123', gitDirty: true });
    expect(metrics.oneShot?.unseen.map((r) => [r.ways, r.shots])).toEqual([
      [3, 1],
      [3, 5],
    ]);
    // The raw-pixel baseline on the same episodes, beside each unseen figure.
    expect(metrics.oneShot?.unseenRawPixels.map((r) => [r.ways, r.shots, r.episodes])).toEqual([
      [3, 1, 20],
      [3, 5, 20],
    ]);
    expect(metrics.backend).toMatch(/^wasm/);
    // The other dataset's ten classes, never trained on, beside raw pixels on the same episodes.
    expect(
      metrics.oneShot?.crossDataset?.map((c) => [
        c.dataset,
        c.result.ways,
        c.result.shots,
        c.rawPixels.episodes,
      ]),
    ).toEqual([['fashion-mnist', 10, 1, 20]]);
    expect((await readJsonArtifact(HistorySchema, join(dir, 'history.json'))).epochs).toHaveLength(2);
    const predictions = await readJsonArtifact(PredictionsSchema, join(dir, 'predictions.json'));
    expect(predictions.pairs.length).toBeGreaterThan(0);
    expect((await readJsonArtifact(UmapSchema, join(dir, 'umap.json'))).count).toBe(60);
    const tower = await loadModelFromDir(join(dir, 'tower'));
    const pair = await loadModelFromDir(join(dir, 'pair'));
    const head = await loadModelFromDir(join(dir, 'head'));
    expect(tower.outputs[0]!.shape).toEqual([null, 10]);
    expect(pair.inputs).toHaveLength(2);
    expect(head.inputs.map((i) => i.shape)).toEqual([
      [null, 10],
      [null, 10],
    ]);
    // Nothing temporary is left beside the runs.
    expect((await readdir(out)).sort()).toEqual(['.checkpoints', 'mnist-contrastive-holdout']);
    // Without validation classes there is nothing to calibrate the open set on.
    expect(metrics.openSet).toBeNull();
    // A run that learned is not flagged.
    expect(metrics.chance).toMatchObject({ atChance: false, advice: [] });
    expect(metrics.embedding).toEqual({ normalize: 'none', metric: 'euclidean', dim: 10 });
  });

  it('says in its summary and in metrics.json when a run ends at chance, and what to change', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-chance-'));
    // A rate 2,500 times the preset's saturates the tanh embedding: every image lands on one point.
    const recipe = tiny({ optimizer: { kind: 'adam', learningRate: 5 }, epochs: 1 });
    const lines: string[] = [];
    const outcome = await trainRun(recipe, context(out, { log: (line) => lines.push(line) }));
    expect(outcome.status).toBe('done');
    const metrics = await readJsonArtifact(MetricsSchema, join(out, recipe.run, 'metrics.json'));
    expect(metrics.chance?.atChance).toBe(true);
    expect(metrics.chance?.advice[0]).toContain('--learning-rate 5 (the preset has 0.002)');
    expect(lines.at(-1)).toMatch(
      /^mnist-contrastive-holdout: warning: ended at chance: test AUC 0\.\d{4} is within ±0\.\d{4} of 0\.5, .*Try: go back towards the mnist-contrastive-holdout preset, which trains: .*--learning-rate 5 \(the preset has 0\.002\)/,
    );
  });

  it('calibrates the open-set cut on validation classes and checks it on the held-out ones', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-open-set-'));
    const recipe = cosineTransfer({ run: 'mnist-cosine-open-set' });
    const lines: string[] = [];
    const outcome = await trainRun(recipe, context(out, { log: (line) => lines.push(line) }));
    expect(outcome.status).toBe('done');
    const dir = join(out, 'mnist-cosine-open-set');
    const metrics = await readJsonArtifact(MetricsSchema, join(dir, 'metrics.json'));
    expect(metrics.embedding).toEqual({ normalize: 'l2', metric: 'cosine', dim: 16 });
    const openSet = metrics.openSet!;
    expect(openSet).toMatchObject({
      target: { kind: 'best-f1' },
      met: true,
      shots: 5,
      measure: 'similarity',
    });
    expect(openSet.threshold).toBeGreaterThanOrEqual(-1);
    expect(openSet.threshold).toBeLessThanOrEqual(1);
    // Two validation classes: one with supports, one without, in turn; three held-out ones: two and one.
    expect(openSet.validation).toMatchObject({ classes: [5, 6], supportedWays: 1, episodes: 20 });
    expect(openSet.test).toMatchObject({ classes: [7, 8, 9], supportedWays: 2, episodes: 20 });
    // A cut per support count, each chosen on episodes with that many supports; the single threshold is 5-shot's.
    const cuts = openSet.cuts!;
    expect(cuts.map((c) => c.shots)).toEqual([1, 2, 3, 5, 10]);
    expect(openSet.threshold).toBe(cuts[3]!.threshold);
    for (const cut of cuts) {
      expect(cut.validation).toMatchObject({ classes: [5, 6], supportedWays: 1, episodes: 20 });
      expect(cut.test).toMatchObject({ classes: [7, 8, 9], supportedWays: 2, episodes: 20 });
      expect(cut.curve.length).toBeGreaterThanOrEqual(2);
      expect(cut.curve.length).toBeLessThanOrEqual(40);
      // The curve runs from the strictest cut to the loosest: "known" recall can only grow along it.
      const recalls = cut.curve.map((p) => p.recall);
      expect(recalls).toEqual([...recalls].sort((a, b) => a - b));
    }
    // The matcher loads the calibrated cuts as its default: each label's count picks its cut.
    const matcher = await Matcher.load(dir);
    expect([matcher.measure, matcher.threshold, matcher.thresholdSource]).toEqual([
      'similarity',
      openSet.threshold,
      'open-set',
    ]);
    expect([1, 4, 12].map((n) => matcher.thresholdFor(n))).toEqual([0, 2, 4].map((i) => cuts[i]!.threshold));
    matcher.dispose();
    expect(lines.at(-1)).toMatch(
      /open set 1 \/ 5-shot \(similarity cuts -?\d\.\d{3} \/ -?\d\.\d{3}, unseen test\): AUROC \d\.\d{3} \/ \d\.\d{3}, unknown \d+\.\d% \/ \d+\.\d% with supports \/ \d+\.\d% \/ \d+\.\d% without/,
    );
  });

  it('chooses every cut for a target precision when the recipe asks for one, and records it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-precision-'));
    const base = cosineTransfer();
    const target = { kind: 'precision', min: 0.9 } as const;
    const recipe = cosineTransfer({
      run: 'mnist-precision',
      evaluation: { ...base.evaluation, openSetTarget: target },
    });
    expect((await trainRun(recipe, context(out))).status).toBe('done');
    const metrics = await readJsonArtifact(MetricsSchema, join(out, 'mnist-precision', 'metrics.json'));
    expect(metrics.recipe.evaluation.openSetTarget).toEqual(target);
    expect(metrics.openSet?.target).toEqual(target);
    for (const cut of metrics.openSet!.cuts!) {
      // Met: precision at least 0.9 on validation; not met: the most precise cut there was.
      if (cut.met) expect(cut.validation.precision).toBeGreaterThanOrEqual(0.9);
      else expect(cut.validation.precision).toBe(Math.max(...cut.curve.map((p) => p.precision)));
    }
  });

  it('refits on all seen classes after choosing on validation classes, keeping the cut they chose', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-refit-'));
    const base = tiny();
    const recipe = cosineTransfer({
      run: 'mnist-refit',
      refit: true,
      data: { ...base.data, trainSize: 0 },
      pairsPerEpoch: 128,
      epochs: 1,
    });
    const lines: string[] = [];
    const outcome = await trainRun(recipe, context(out, { log: (line) => lines.push(line) }));
    expect(outcome.status).toBe('done');
    const metrics = await readJsonArtifact(MetricsSchema, join(out, 'mnist-refit', 'metrics.json'));
    // The files and figures are the final model's: trained on 0-6, so only 7, 8, 9 are new to it.
    expect(metrics.recipe).toMatchObject({ validationClasses: [], refit: false, heldOutClasses: [7, 8, 9] });
    const selection = metrics.selection!;
    expect(selection.validationClasses).toEqual([5, 6]);
    expect(selection.epochs).toHaveLength(1);
    expect(selection.epochs[0]!.valTransfer?.ways).toBe(2);
    expect(metrics.training.trainImages).toBeGreaterThan(selection.trainImages);
    // The cut was chosen by the selection model on 5 and 6, then applied to the final model's test episodes.
    expect(metrics.openSet?.validation.classes).toEqual([5, 6]);
    expect(metrics.openSet?.test?.classes).toEqual([7, 8, 9]);
    expect(lines.some((l) => /refit on all seen classes 0,1,2,3,4,5,6/.test(l))).toBe(true);
    expect(
      lines.some((l) => /mnist-refit \(selection\) epoch 1\/1: .*validation classes 2-way/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => /mnist-refit \(refit\) epoch 1\/1/.test(l))).toBe(true);
    const checkpoints = (await readdir(join(out, '.checkpoints'))).sort();
    expect(checkpoints).toEqual(['mnist-refit.refit', 'mnist-refit.selection']);
    // Without validation classes there is nothing to choose before a refit.
    expect(() => checkRecipe({ ...recipe, validationClasses: [] })).toThrow(/refit .* needs some/);
  });

  it('checkpoints mid-epoch on interrupt and resumes from that step', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-resume-'));
    const stop = new AbortController();
    const first = await trainRun(
      tiny(),
      context(out, {
        signal: stop.signal,
        log: (line) => {
          // Stop as epoch 2 starts: the checkpoint is then inside epoch 2.
          if (/ epoch 1\/2:/.test(line)) stop.abort();
        },
      }),
    );
    expect(first).toEqual({ status: 'interrupted', epochsDone: 1 });
    const state = JSON.parse(
      await readFile(join(checkpointDir(out, 'mnist-contrastive-holdout'), 'state.json'), 'utf8'),
    );
    expect(state.state).toMatchObject({ epochsDone: 1, partial: { epoch: 2, steps: 0 } });
    const logs: string[] = [];
    const second = await trainRun(tiny(), context(out, { resume: true, log: (line) => logs.push(line) }));
    expect(second.status).toBe('done');
    expect(logs.find((l) => /resuming/.test(l))).toMatch(/resuming after step 0 of epoch 2 of 2/);
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
    if (!LOSSES.has('nan-in-epoch-2')) {
      // Contrastive for epoch 1's 16 steps and its validation call, NaN from the first step of epoch 2.
      LOSSES.register('nan-in-epoch-2', {
        kind: 'pair',
        summary: 'test only',
        heads: ['distance'],
        create: () => {
          let calls = 0;
          const real = contrastiveLoss(1);
          return (same, output, weights) =>
            ++calls <= 17
              ? real(same, output, weights)
              : tf.tidy(() => tf.mul(tf.mean(output), Number.NaN) as tf.Scalar);
        },
        runningThreshold: () => 0.5,
      });
    }
    // Past the schema (fixed at load), as a loss under development would be.
    const nan = {
      ...tiny({ epochs: 2 }),
      loss: { ...LOSS_DEFAULTS, kind: 'nan-in-epoch-2', margin: 1, temperature: 0.1 },
    };
    await expect(trainRun(nan, context(out))).rejects.toThrow(
      /loss became NaN at step 17\b.*last good checkpoint \(after epoch 1\) is kept/,
    );
    const checkpoint = checkpointDir(out, 'mnist-contrastive-holdout');
    expect(JSON.parse(await readFile(join(checkpoint, 'state.json'), 'utf8')).state.epochsDone).toBe(1);
  });
});

describe('checkpoints and run folders', () => {
  it('names a truncated checkpoint and the fix', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-truncated-'));
    await trainRun(tiny({ epochs: 1 }), context(out));
    const checkpoint = checkpointDir(out, 'mnist-contrastive-holdout');
    const bytes = await readFile(join(checkpoint, 'model.bin'));
    await writeFile(join(checkpoint, 'model.bin'), bytes.subarray(0, 400));
    await expect(trainRun(tiny({ epochs: 2 }), context(out, { resume: true }))).rejects.toThrow(
      /checkpoint is damaged.*Train without --resume.*or delete .*\.checkpoints\/mnist-contrastive-holdout/,
    );
    await writeFile(join(checkpoint, 'state.json'), '{"run": "x"');
    await expect(trainRun(tiny({ epochs: 2 }), context(out, { resume: true }))).rejects.toThrow(
      /state.json is not valid JSON.*delete/,
    );
  });

  it('a failed write leaves the previous complete run untouched and no partial folder', async () => {
    const out = await mkdtemp(join(tmpdir(), 'twinnet-swap-'));
    await writeRunFolder(out, 'run', async (dir) => {
      await writeFile(join(dir, 'metrics.json'), 'old');
      await writeFile(join(dir, 'tower.bin'), 'old');
    });
    await expect(
      writeRunFolder(out, 'run', async (dir) => {
        await writeFile(join(dir, 'tower.bin'), 'new');
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }),
    ).rejects.toThrow(/writing the run failed \(ENOSPC.*the previous .*run.* is untouched/);
    expect(await readFile(join(out, 'run', 'tower.bin'), 'utf8')).toBe('old');
    expect(await readFile(join(out, 'run', 'metrics.json'), 'utf8')).toBe('old');
    expect(await readdir(out)).toEqual(['run']);
    await writeRunFolder(out, 'run', async (dir) => writeFile(join(dir, 'tower.bin'), 'new'));
    // Replaced whole: the old metrics.json does not survive beside the new weights.
    expect(await readdir(join(out, 'run'))).toEqual(['tower.bin']);
    await rm(out, { recursive: true });
    await mkdir(out);
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
