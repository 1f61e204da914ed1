import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ARTIFACT_FILES,
  type BackendInfo,
  DATASET_NAMES,
  datasetSpec,
  describeBackend,
  disposeObjective,
  disposeSiamese,
  embeddingDim,
  embeddingFor,
  epochShape,
  type FitHooks,
  type FitResult,
  fit,
  type Metrics,
  NonFiniteLossError,
  prepareData,
  type RunData,
  rawPixelSimilarity,
  readoutPair,
  recipeStream,
  refitRecipe,
  STREAM,
  type TrainRecipe,
  validationTransfer,
} from '@twinnet/core';
import { saveModelToDir, writeJsonAtomic } from '@twinnet/core/node';
import { type Dataset, loadDataset } from '@twinnet/datasets';
import { chanceCheck, describeChance } from './chance.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { chooseOpenSetCut, type Evaluation, evaluateRun, type OtherDataset } from './evaluate.ts';
import { exportEmbeddings, selectPredictions } from './export.ts';
import { epochProgress } from './progress.ts';
import { writeRunFolder } from './run-folder.ts';

export interface RunContext {
  outDir: string;
  resume: boolean;
  backend: BackendInfo;
  log: (line: string) => void;
  /** Aborted when the user asks to stop (Ctrl-C): the run checkpoints mid-epoch and returns. */
  signal?: AbortSignal;
  /** Cache of loaded datasets, so several runs read each dataset once. */
  datasets: Map<string, Promise<Dataset>>;
  /** The commit the invocation started from, and whether the tree was dirty then. */
  provenance: { gitCommit: string; gitDirty: boolean };
}

export type RunOutcome = { status: 'done'; metrics: Metrics } | { status: 'interrupted'; epochsDone: number };

/** Checkpoints live beside the runs, not in them, so a run folder is replaced whole when the run ends. */
export const checkpointDir = (outDir: string, run: string, stage?: string) =>
  join(outDir, '.checkpoints', stage ? `${run}.${stage}` : run);

/** One run: its data, fit, the test figures, and the run folder written whole. */
export async function trainRun(recipe: TrainRecipe, ctx: RunContext): Promise<RunOutcome> {
  const started = performance.now();
  const dataset = await cachedDataset(ctx, recipe.dataset);
  const data = prepareData(recipe, dataset);
  ctx.log(describeRun(recipe, data));
  const fitted = await fitWithCheckpoints(recipe, data, ctx, recipe.refit ? 'selection' : undefined);
  if (fitted.status === 'aborted') return interrupted(recipe, fitted, ctx);
  const others = await otherDatasets(ctx, recipe.dataset);
  if (!recipe.refit) {
    const evaluation = evaluateRun(recipe, fitted, data, undefined, others);
    return finishRun(recipe, fitted, data, evaluation, ctx, started);
  }

  // Refit: the selection model has made the choices on classes it never saw; the final model learns them too.
  const openSetChoice = chooseOpenSetCut(recipe, fitted, data);
  const selection: Selection = {
    validationClasses: recipe.validationClasses,
    trainImages: data.train.count,
    seconds: fitted.state.seconds,
    epochs: fitted.state.history,
  };
  release(fitted);
  const final = refitRecipe(recipe);
  const finalData = prepareData(final, dataset);
  ctx.log(
    `${recipe.run}: refit on all seen classes ${finalData.classes.join(',')} (${finalData.train.count} images); ` +
      `the open-set cut stays as validation classes ${recipe.validationClasses.join(',')} chose it`,
  );
  const refitted = await fitWithCheckpoints(final, finalData, ctx, 'refit');
  if (refitted.status === 'aborted') return interrupted(recipe, refitted, ctx);
  const evaluation = evaluateRun(final, refitted, finalData, openSetChoice, others);
  return finishRun(final, refitted, finalData, evaluation, ctx, started, selection);
}

/** What a refit run's selection fit did: the classes it chose on and its epochs (with their transfer figures). */
type Selection = NonNullable<Metrics['selection']>;

function interrupted(recipe: TrainRecipe, fitted: FitResult, ctx: RunContext): RunOutcome {
  ctx.log(
    `${recipe.run}: interrupted in epoch ${fitted.state.epochsDone + 1}; checkpoint saved. Continue with --resume.`,
  );
  release(fitted);
  return { status: 'interrupted', epochsDone: fitted.state.epochsDone };
}

/** The run folder, written whole, and the summary line. */
async function finishRun(
  recipe: TrainRecipe,
  fitted: FitResult,
  data: RunData,
  evaluation: Evaluation,
  ctx: RunContext,
  started: number,
  selection?: Selection,
): Promise<RunOutcome> {
  const umapStarted = performance.now();
  let metrics: Metrics | undefined;
  await writeRunFolder(ctx.outDir, recipe.run, async (dir) => {
    await writeExports(dir, recipe, fitted, data, evaluation);
    metrics = {
      ...runMetrics(recipe, fitted, data, evaluation, ctx, started),
      ...(selection ? { selection } : {}),
    };
    // Last: its presence marks a finished run.
    await writeJsonAtomic(join(dir, ARTIFACT_FILES.metrics), metrics);
  });
  ctx.log(summaryLine(metrics!, (performance.now() - umapStarted) / 1000));
  if (metrics!.chance?.atChance) ctx.log(describeChance(recipe.run, metrics!.chance));
  release(fitted);
  return { status: 'done', metrics: metrics! };
}

/** fit, with checkpoints on disk, progress bars, and the message a non-finite loss deserves. */
async function fitWithCheckpoints(
  recipe: TrainRecipe,
  data: RunData,
  ctx: RunContext,
  stage?: string,
): Promise<FitResult> {
  const dir = checkpointDir(ctx.outDir, recipe.run, stage);
  const name = stage ? `${recipe.run} (${stage})` : recipe.run;
  let progress: ReturnType<typeof epochProgress> | undefined;
  let epochsDone = 0;
  const hooks: FitHooks = {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    restore: async (model, optimizer, lossVariables) => {
      if (!ctx.resume) return undefined;
      const state = await loadCheckpoint(dir, model, optimizer, recipe, lossVariables);
      const where = state?.partial
        ? `step ${state.partial.steps} of epoch ${state.partial.epoch}`
        : `epoch ${state?.epochsDone}`;
      ctx.log(
        state
          ? `${name}: resuming after ${where} of ${recipe.epochs}`
          : `${name}: no checkpoint in ${dir}; starting from scratch`,
      );
      return state;
    },
    checkpoint: (model, optimizer, state, lossVariables) =>
      saveCheckpoint(dir, model, optimizer, recipe, state, lossVariables),
    onEpochStart: ({ epoch, epochs, steps }) => {
      progress = epochProgress(`${name} epoch ${epoch}/${epochs}`, steps);
    },
    onStep: ({ step, pairs, loss }) => progress?.update(step, pairs, loss),
    onEpoch: (r, state) => {
      progress?.stop();
      epochsDone = state.epochsDone;
      ctx.log(
        `${name} epoch ${r.epoch}/${recipe.epochs}: loss ${r.trainLoss.toFixed(4)}, val loss ${r.valLoss.toFixed(4)}, ` +
          `val acc ${(100 * r.valAccuracy).toFixed(2)}%, ` +
          (r.valTransfer
            ? `validation classes ${r.valTransfer.ways}-way 1-shot ${(100 * r.valTransfer.accuracy).toFixed(1)}%, `
            : '') +
          `${r.pairsPerSecond.toFixed(0)} pairs/s, ${r.seconds.toFixed(1)} s`,
      );
    },
  };
  try {
    const result = await fit(recipe, data, hooks);
    progress?.stop();
    return result;
  } catch (error) {
    progress?.stop();
    if (!(error instanceof NonFiniteLossError)) throw error;
    throw new Error(
      `${name}: ${error.message}. The last good checkpoint (after epoch ${epochsDone}) is kept in ${dir}.`,
    );
  }
}

/** Models, history, predictions, embeddings and their UMAP layout, into the run's (temporary) folder. */
async function writeExports(
  dir: string,
  recipe: TrainRecipe,
  fitted: FitResult,
  data: RunData,
  ev: Evaluation,
) {
  const { model, state } = fitted;
  const points = Math.min(recipe.evaluation.embedPoints, data.test.count);
  await exportEmbeddings(
    dir,
    ev.testEmbeddings,
    embeddingDim(model.readout),
    data.test.labels,
    data.test.images,
    points,
    // What the gallery shows as a point's neighbours: by the matcher's measure (an MLP head's runs: distance).
    embeddingFor(recipe.head.kind).metric === 'cosine' ? 'cosine' : 'euclidean',
    recipe.seed,
    recipeStream(recipe.seed, STREAM.embeddingSample),
  );
  // What matching embeds by (the readout) is what the run's tower/ and pair/ are.
  await saveModelToDir(model.readout, join(dir, 'tower'));
  await saveModelToDir(readoutPair(model), join(dir, 'pair'));
  await saveModelToDir(model.headModel, join(dir, 'head'));
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.history), { run: recipe.run, epochs: state.history });
  const source = {
    pairs: ev.testPairs,
    scores: ev.test.scores,
    labels: data.test.labels,
    images: data.test.images,
  };
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.predictions), {
    run: recipe.run,
    polarity: model.polarity,
    threshold: ev.threshold,
    pairs: selectPredictions(
      { ...source, threshold: ev.threshold, polarity: model.polarity },
      recipeStream(recipe.seed, STREAM.predictions),
    ),
  });
}

function runMetrics(
  recipe: TrainRecipe,
  fitted: FitResult,
  data: RunData,
  ev: Evaluation,
  ctx: RunContext,
  started: number,
): Metrics {
  return {
    run: recipe.run,
    dataset: recipe.dataset,
    recipe,
    polarity: fitted.model.polarity,
    classNames: [...datasetSpec(recipe.dataset).classNames],
    ...ev.figures,
    chance: chanceCheck(recipe, ev.figures.test),
    training: {
      epochs: fitted.state.history.length,
      trainImages: data.train.count,
      validationImages: data.validation.count,
      seconds: fitted.state.seconds,
    },
    backend: describeBackend(ctx.backend),
    versions: { node: process.versions.node, tfjs: tf.version.tfjs, twinnet: '0.1.0' },
    ...ctx.provenance,
    wallSeconds: (performance.now() - started) / 1000,
    createdAt: new Date().toISOString(),
  };
}

function release(fitted: FitResult): void {
  disposeSiamese(fitted.model);
  fitted.optimizer.dispose();
  disposeObjective(fitted.objective);
}

/** Every dataset but the run's: its test split, for the cross-dataset episodes. */
async function otherDatasets(ctx: RunContext, own: string): Promise<OtherDataset[]> {
  const names = DATASET_NAMES.filter((name) => name !== own);
  return Promise.all(names.map(async (name) => ({ name, test: (await cachedDataset(ctx, name)).test })));
}

function cachedDataset(ctx: RunContext, name: string): Promise<Dataset> {
  let pending = ctx.datasets.get(name);
  if (!pending) {
    pending = loadDataset(name as Dataset['name']);
    ctx.datasets.set(name, pending);
  }
  return pending;
}

/** The run in one line: model, data, and what one epoch does in its pairing's own terms. */
function describeRun(recipe: TrainRecipe, data: RunData): string {
  const { steps, images } = epochShape(recipe, data.classes.length);
  const work =
    recipe.pairing.kind === 'explicit'
      ? `${recipe.pairsPerEpoch} explicit pairs`
      : `${steps} steps of ${images} images (${recipe.pairing.kind}: all ${(images * (images - 1)) / 2} pairs in each)`;
  return (
    `${recipe.run}: ${recipe.tower.kind} tower, ${recipe.head.kind} head, ${recipe.loss.kind} loss, ` +
    `${data.train.count} training images of classes ${data.classes.join(',')}, ${recipe.epochs} epochs × ${work}, ` +
    `batch ${recipe.batchSize}, ${recipe.optimizer.kind} lr ${recipe.optimizer.learningRate}` +
    validationBaseline(data)
  );
}

/** The raw-pixel baseline of the per-epoch episodes on validation classes, to read those figures against. */
function validationBaseline(data: RunData): string {
  if (!data.validationClasses) return '';
  const pixels = validationTransfer(data, rawPixelSimilarity(data.validation.images));
  return (
    `; validation classes ${data.validationClasses.join(',')} (never trained on), ` +
    `raw pixels ${pixels.ways}-way 1-shot ${(100 * pixels.accuracy).toFixed(1)}%`
  );
}

function summaryLine(m: Metrics, exportSeconds: number): string {
  const o = m.oneShot;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const unseen = (o?.unseen ?? [])
    .map((r, i) => {
      const pixels = o?.unseenRawPixels[i];
      const baseline = pixels ? ` (raw pixels ${pct(pixels.accuracy)})` : '';
      return `, unseen ${r.ways}-way ${r.shots}-shot ${pct(r.accuracy)} ±${(100 * r.ci95).toFixed(1)}${baseline}`;
    })
    .join('');
  return (
    `${m.run}: test accuracy ${(100 * m.test.accuracy).toFixed(2)}%, loss ${m.test.loss.toFixed(4)}, ` +
    `AUC ${m.test.auc.toFixed(4)}, ${m.classNames.length}-way 1-shot ${(100 * (o?.allClasses.accuracy ?? 0)).toFixed(1)}%` +
    `${unseen}${crossSummary(m)}${openSetSummary(m)} (export ${exportSeconds.toFixed(0)} s, wall ${m.wallSeconds.toFixed(0)} s)`
  );
}

/** Each other dataset's N-way 1-shot beside raw pixels on the same episodes. */
function crossSummary(m: Metrics): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (m.oneShot?.crossDataset ?? [])
    .map(
      (c) =>
        `, on ${c.dataset} ${c.result.ways}-way 1-shot ${pct(c.result.accuracy)} (raw pixels ${pct(c.rawPixels.accuracy)})`,
    )
    .join('');
}

/**
 * The open-set cuts at 1 and 5 supports and what they do on the unseen test classes (on validation, without
 * held-out ones); runs before per-count cuts had one.
 */
function openSetSummary(m: Metrics): string {
  const s = m.openSet;
  if (!s) return '';
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const where = s.test ? 'unseen test' : 'validation';
  const cuts = (s.cuts ?? [{ ...s, curve: [] }]).filter((c) => c.shots === 1 || c.shots === 5);
  const each = (f: (c: (typeof cuts)[number]) => string) => cuts.map(f).join(' / ');
  const rates = (c: (typeof cuts)[number]) => c.test ?? c.validation;
  return (
    `, open set ${each((c) => `${c.shots}`)}-shot (${s.measure} cuts ${each((c) => c.threshold.toFixed(3))}, ${where}): ` +
    `AUROC ${each((c) => rates(c).auroc.toFixed(3))}, unknown ${each((c) => pct(rates(c).supportedUnknown))} with ` +
    `supports / ${each((c) => pct(rates(c).unsupportedUnknown))} without`
  );
}
