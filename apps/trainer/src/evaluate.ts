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
  type OpenSetCut,
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
  type SimilarityFn,
  STREAM,
  samplePairs,
  scorerFor,
  scoreWithObjective,
  type TrainRecipe,
  thinSweep,
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
  otherDatasets: readonly OtherDataset[] = [],
): Evaluation {
  const { model, objective, state } = fitted;
  const last = state.history.at(-1);
  if (!last) throw new Error(`${recipe.run}: no epoch was trained (epochs = ${recipe.epochs})`);
  const threshold = last.valThreshold;
  const testEmbeddings = embed(model.readout, data.test.images);
  const dim = embeddingDim(model.readout);
  const testPairs = samplePairs(
    indexByClass(data.test.labels, data.classes),
    recipe.evaluation.testPairs,
    recipeStream(recipe.seed, STREAM.testPairs),
  );
  const test = scoreWithObjective(
    model,
    objective,
    { images: data.test.images, labels: data.test.labels, embeddings: testEmbeddings },
    testPairs,
  );
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
    oneShot: {
      ...oneShotFigures(recipe, fitted, data, testEmbeddings),
      crossDataset: otherDatasets.map((other) => crossDatasetFigures(recipe, fitted, other)),
    },
    embedding: { ...embeddingFor(recipe.head.kind), dim },
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

/** Another dataset's test split, for episodes on classes of a domain the run never trained on. */
export interface OtherDataset {
  name: string;
  test: RunData['test'];
}

/** N-way 1-shot over all of another dataset's classes, on its test images, beside raw pixels on the same episodes. */
function crossDatasetFigures(
  recipe: TrainRecipe,
  { model }: FitResult,
  other: OtherDataset,
): NonNullable<NonNullable<Metrics['oneShot']>['crossDataset']>[number] {
  const classes = [...new Set(other.test.labels)].sort((a, b) => a - b);
  const episodes = (similarity: SimilarityFn): EpisodeResult =>
    episodeAccuracy({
      labels: other.test.labels,
      classes,
      ways: classes.length,
      shots: 1,
      episodes: recipe.evaluation.episodes,
      rng: recipeStream(recipe.seed, STREAM.crossDatasetOneShot),
      similarity,
    });
  const embeddings = embed(model.readout, other.test.images);
  return {
    dataset: other.name as Metrics['dataset'],
    result: episodes(embeddingSimilarity(model, embeddings)),
    rawPixels: episodes(rawPixelSimilarity(other.test.images)),
  };
}

/**
 * The support counts the open-set cut is calibrated at, one cut each: a prototype of more supports sits closer to
 * its class's queries, so one cut for every count rejects too many at one shot or admits too many at ten. A
 * user's label with another count takes the cut of the largest count below it (cutForSupports).
 */
export const CALIBRATION_SHOTS = [1, 2, 3, 5, 10] as const;
/** The count whose cut metrics.json's single `openSet.threshold` repeats, as runs before per-count cuts had. */
export const OPEN_SET_SHOTS = 5;

/** One count's cut, calibrated on validation classes the model never trained on, and what it did there. */
interface CutChoice {
  shots: number;
  calibration: OpenSetCalibration;
  validation: OpenSetRecord;
}

/** The open-set cuts, one per support count. */
export interface OpenSetChoice {
  target: OpenSetTarget;
  cuts: CutChoice[];
}

/**
 * The open-set cuts on the matcher's own measure, one per support count, each calibrated for the recipe's target
 * on the validation classes (never trained on): in each episode half of them (rounded up) get that many supports
 * and the rest none, in turn. Null without at least two validation classes. A refit run makes this choice with
 * its selection model.
 */
export function chooseOpenSetCut(
  recipe: TrainRecipe,
  { model }: FitResult,
  data: RunData,
): OpenSetChoice | null {
  const validationClasses = data.validationClasses ?? [];
  if (validationClasses.length < 2) return null;
  const target = recipe.evaluation.openSetTarget;
  const embeddings = embed(model.readout, data.validation.images);
  const cuts = CALIBRATION_SHOTS.map((shots): CutChoice => {
    const run = openSetRun(recipe, model, data.validation.labels, embeddings, validationClasses, shots, true);
    const calibration = calibrateOpenSet(run.queries, model.polarity, target);
    return { shots, calibration, validation: openSetRecord(run, calibration.rates, calibration.auroc) };
  });
  return { target, cuts };
}

/** The chosen cuts with the figures each gives on test-image episodes of the held-out classes. */
function openSetFigures(
  recipe: TrainRecipe,
  { model }: FitResult,
  data: RunData,
  testEmbeddings: Float32Array,
  choice: OpenSetChoice | null,
): NonNullable<Metrics['openSet']> | null {
  if (!choice) return null;
  const heldOut = recipe.heldOutClasses;
  const cuts = choice.cuts.map(({ shots, calibration, validation }): OpenSetCut => {
    let test: OpenSetRecord | null = null;
    if (heldOut.length >= 2) {
      const run = openSetRun(recipe, model, data.test.labels, testEmbeddings, heldOut, shots, false);
      test = openSetRecord(
        run,
        openSetRates(run.queries, calibration.threshold, model.polarity),
        openSetAuroc(run.queries, model.polarity),
      );
    }
    const curve = thinSweep(calibration.sweep).map(
      ({ threshold, precision, recall, supportedUnknown, unsupportedUnknown }) => ({
        threshold,
        precision,
        recall,
        supportedUnknown,
        unsupportedUnknown,
      }),
    );
    return { shots, threshold: calibration.threshold, met: calibration.met, validation, test, curve };
  });
  const main = cuts.find((c) => c.shots === OPEN_SET_SHOTS) ?? cuts[0]!;
  return {
    target: choice.target,
    met: main.met,
    shots: main.shots,
    measure: MEASURE_OF_METRIC[embeddingFor(recipe.head.kind).metric],
    threshold: main.threshold,
    validation: main.validation,
    test: main.test,
    cuts,
  };
}

/**
 * Seeded episodes on some classes, `shots` supports each: half of the classes (rounded up) with supports in
 * each episode, the rest without. Validation and test episodes draw from streams of their own.
 */
function openSetRun(
  recipe: TrainRecipe,
  model: FitResult['model'],
  labels: ArrayLike<number>,
  embeddings: Float32Array,
  classes: readonly number[],
  shots: number,
  validation: boolean,
): OpenSetRun {
  const purpose = validation ? STREAM.openSetValidation : STREAM.openSetTest;
  const dim = embeddingDim(model.readout);
  const { metric } = embeddingFor(recipe.head.kind);
  const scorer = scorerFor(metric, dim, recipe.run, { model: model.headModel, polarity: model.polarity });
  const supportedWays = Math.ceil(classes.length / 2);
  const queries = openSetEpisodes({
    labels,
    classes,
    supportedWays,
    shots,
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
