import {
  type EpisodeResult,
  embed,
  embeddingDim,
  embeddingSimilarity,
  episodeAccuracy,
  type FitResult,
  indexByClass,
  type Metrics,
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
  figures: Pick<Metrics, 'test' | 'validation' | 'oneShot' | 'roc' | 'histogram'>;
}

/**
 * Final figures on the canonical test split: pair accuracy, loss and AUC on seeded test pairs of the seen
 * classes, nearest-neighbour precision, and one-shot episodes on the unseen classes and on all classes.
 */
export function evaluateRun(recipe: TrainRecipe, fitted: FitResult, data: RunData): Evaluation {
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
