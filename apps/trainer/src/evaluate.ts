import {
  calibrateOpenSet,
  type EpisodeResult,
  embed,
  embeddingDim,
  embeddingFor,
  embeddingSimilarity,
  episodeAccuracy,
  type FitResult,
  indexByClass,
  MEASURE_OF_METRIC,
  type Metrics,
  measureOnRows,
  type OpenSetCalibration,
  type OpenSetQueries,
  type OpenSetRates,
  type OpenSetTarget,
  openSetAuroc,
  openSetEpisodes,
  openSetRates,
  type PairScores,
  type Pairs,
  pairAccuracy,
  precisionAt1,
  type RunData,
  range,
  rawPixelSimilarity,
  recipeStream,
  rocAuc,
  rocCurve,
  STREAM,
  samplePairs,
  scorerFor,
  scoreWithObjective,
  type TrainRecipe,
} from '@twinnet/core';
import { scoreHistogram } from './export.ts';

/** The test split scored once, at the threshold chosen on validation pairs. */
export interface Evaluation {
  threshold: number;
  testEmbeddings: Float32Array;
  testPairs: Pairs;
  test: PairScores;
  figures: Pick<Metrics, 'test' | 'validation' | 'oneShot' | 'embedding' | 'openSet' | 'roc' | 'histogram'>;
}

/**
 * Final figures on the canonical test split: pair accuracy, loss and AUC on seeded test pairs of the seen
 * classes, nearest-neighbour precision, and one-shot episodes on the unseen classes and on all classes.
 */
export function evaluateRun(
  recipe: TrainRecipe,
  fitted: FitResult,
  data: RunData,
  openSetChoice = chooseOpenSetCut(recipe, fitted, data),
): Evaluation {
  const { model, objective, state } = fitted;
  const last = state.history.at(-1);
  if (!last) throw new Error(`${recipe.run}: no epoch was trained (epochs = ${recipe.epochs})`);
  const threshold = last.valThreshold;
  const testEmbeddings = embed(model.tower, data.test.images);
  const dim = embeddingDim(model.tower);
  const testPairs = samplePairs(
    indexByClass(data.test.labels, data.classes),
    recipe.evaluation.testPairs,
    recipeStream(recipe.seed, STREAM.testPairs),
  );
  const test = scoreWithObjective(model, objective, testEmbeddings, data.test.labels, testPairs);
  const points = Math.min(recipe.evaluation.embedPoints, data.test.count);
  const figures = {
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
    validation: { pairs: fitted.validationPairs!.count, accuracy: last.valAccuracy, threshold },
    oneShot: oneShotFigures(recipe, fitted, data, testEmbeddings),
    embedding: embeddingFor(recipe.head.kind),
    openSet: openSetFigures(recipe, fitted, data, testEmbeddings, openSetChoice),
    roc: rocCurve(test.scores, testPairs.same, model.polarity),
    histogram: scoreHistogram(test.scores, testPairs.same),
  };
  return { threshold, testEmbeddings, testPairs, test, figures };
}

/** N-way K-shot episodes on the test images: the unseen classes at 1 and 5 shots, all classes at 1 shot. */
function oneShotFigures(
  recipe: TrainRecipe,
  { model }: FitResult,
  data: RunData,
  testEmbeddings: Float32Array,
): NonNullable<Metrics['oneShot']> {
  const byModel = embeddingSimilarity(model, testEmbeddings);
  const pixels = rawPixelSimilarity(data.test.images);
  // The same seed draws the same episodes whatever scores them, so the baseline meets the same queries.
  const episodes = (classes: number[], shots: number, purpose: number, similarity = byModel): EpisodeResult =>
    episodeAccuracy({
      labels: data.test.labels,
      classes,
      ways: classes.length,
      shots,
      episodes: recipe.evaluation.episodes,
      rng: recipeStream(recipe.seed, purpose),
      similarity,
    });
  const unseen = recipe.heldOutClasses.length >= 2 ? recipe.heldOutClasses : [];
  const shots = [
    [1, STREAM.unseenOneShot],
    [5, STREAM.unseenFiveShot],
  ] as const;
  return {
    heldOutClasses: recipe.heldOutClasses,
    unseen: unseen.length ? shots.map(([k, purpose]) => episodes(unseen, k, purpose)) : [],
    unseenRawPixels: unseen.length ? shots.map(([k, purpose]) => episodes(unseen, k, purpose, pixels)) : [],
    allClasses: episodes(range(data.classCount), 1, STREAM.allClassesOneShot),
  };
}

/** The open-set cut is calibrated at this many supports per class: the 5-shot target. */
export const OPEN_SET_SHOTS = 5;
/** What the cut is chosen for (TensorFlow Similarity's calibrate offers the same two kinds). */
export const OPEN_SET_TARGET: OpenSetTarget = { kind: 'best-f1' };

/** The open-set cut, calibrated on validation classes the model never trained on, and what it did there. */
export interface OpenSetChoice {
  calibration: OpenSetCalibration;
  validation: OpenSetRecord;
}

/**
 * The open-set cut on the matcher's own measure, calibrated on the validation classes (never trained on): in
 * each episode half of them (rounded up) get supports and the rest none, in turn. Null without
 * at least two validation classes. A refit run makes this choice with its selection model.
 */
export function chooseOpenSetCut(
  recipe: TrainRecipe,
  { model }: FitResult,
  data: RunData,
): OpenSetChoice | null {
  const validationClasses = data.validationClasses ?? [];
  if (validationClasses.length < 2) return null;
  const embeddings = embed(model.tower, data.validation.images);
  const validation = openSetRun(
    recipe,
    model,
    data.validation.labels,
    embeddings,
    validationClasses,
    STREAM.openSetValidation,
  );
  const calibration = calibrateOpenSet(validation.queries, model.polarity, OPEN_SET_TARGET);
  return { calibration, validation: openSetRecord(validation, calibration.rates, calibration.auroc) };
}

/** The chosen cut with the figures it gives on test-image episodes of the held-out classes. */
function openSetFigures(
  recipe: TrainRecipe,
  { model }: FitResult,
  data: RunData,
  testEmbeddings: Float32Array,
  choice: OpenSetChoice | null,
): NonNullable<Metrics['openSet']> | null {
  if (!choice) return null;
  const { calibration } = choice;
  const heldOut = recipe.heldOutClasses;
  let test: OpenSetRecord | null = null;
  if (heldOut.length >= 2) {
    const run = openSetRun(recipe, model, data.test.labels, testEmbeddings, heldOut, STREAM.openSetTest);
    test = openSetRecord(
      run,
      openSetRates(run.queries, calibration.threshold, model.polarity),
      openSetAuroc(run.queries, model.polarity),
    );
  }
  return {
    target: calibration.target,
    met: calibration.met,
    shots: OPEN_SET_SHOTS,
    measure: MEASURE_OF_METRIC[embeddingFor(recipe.head.kind).metric],
    threshold: calibration.threshold,
    validation: choice.validation,
    test,
  };
}

/** Seeded episodes on some classes: half of them (rounded up) with supports in each, the rest without. */
function openSetRun(
  recipe: TrainRecipe,
  model: FitResult['model'],
  labels: ArrayLike<number>,
  embeddings: Float32Array,
  classes: readonly number[],
  purpose: number,
): OpenSetRun {
  const dim = embeddingDim(model.tower);
  const { metric } = embeddingFor(recipe.head.kind);
  const scorer = scorerFor(metric, dim, recipe.run, { model: model.headModel, polarity: model.polarity });
  const supportedWays = Math.ceil(classes.length / 2);
  const queries = openSetEpisodes({
    labels,
    classes,
    supportedWays,
    shots: OPEN_SET_SHOTS,
    episodes: recipe.evaluation.episodes,
    rng: recipeStream(recipe.seed, purpose),
    measure: measureOnRows(scorer, embeddings, dim),
    polarity: model.polarity,
  });
  return { classes: [...classes], supportedWays, episodes: recipe.evaluation.episodes, queries };
}

interface OpenSetRun {
  classes: number[];
  supportedWays: number;
  episodes: number;
  queries: OpenSetQueries;
}

type OpenSetRecord = NonNullable<Metrics['openSet']>['validation'];

function openSetRecord(run: OpenSetRun, rates: OpenSetRates, auroc: number): OpenSetRecord {
  return {
    classes: run.classes,
    supportedWays: run.supportedWays,
    episodes: run.episodes,
    auroc,
    supportedUnknown: rates.supportedUnknown,
    unsupportedUnknown: rates.unsupportedUnknown,
    precision: rates.precision,
    recall: rates.recall,
  };
}
