// What transfer-sweep measures, shared with score-saved so that a saved tower scores as its fit did: the same
// recipes, images, seeded episodes and figures.
import {
  checkRecipe,
  combinations,
  embeddingFor,
  episodeAccuracy,
  measureOnRows,
  metricSimilarity,
  openSetAuroc,
  openSetEpisodes,
  preset,
  type RecipeOverrides,
  rawPixelSimilarity,
  recipeStream,
  type SimilarityFn,
  STREAM,
  scorerFor,
  seenClasses,
  type TrainRecipe,
  withOverrides,
} from '@twinnet/core';
import { DATASET_NAMES, type Dataset, loadDataset } from '@twinnet/datasets';
import { selectClasses } from '@twinnet/datasets/split';

/** The hold-out preset with `text`'s overrides and these validation classes, without a refit. */
export function sweepRecipe(
  dataset: Dataset['name'],
  text: string,
  validationClasses: number[],
): TrainRecipe {
  const base = preset(dataset, 'metric', true);
  const overrides = { ...(JSON.parse(text) as RecipeOverrides), validationClasses, refit: false };
  const recipe = checkRecipe(withOverrides(base, overrides, 10), 10);
  if (embeddingFor(recipe.head.kind).metric !== 'cosine') throw new Error('the sweep scores by cosine');
  return recipe;
}

/** Seeded N-way episodes on `classes` at 1 and 5 shots, by `similarity`. */
export function wayShots(
  labels: Uint8Array,
  classes: readonly number[],
  similarity: SimilarityFn,
  episodes: number,
) {
  return [1, 5].map(
    (shots) =>
      episodeAccuracy({
        labels,
        classes,
        ways: classes.length,
        shots,
        episodes,
        rng: recipeStream(42, shots === 1 ? STREAM.unseenOneShot : STREAM.unseenFiveShot),
        similarity,
      }).accuracy,
  );
}

/** Open-set AUROC at 1 and 5 shots: all classes but one with supports in each episode, in turn. */
export function openSet(
  recipe: TrainRecipe,
  labels: ArrayLike<number>,
  classes: readonly number[],
  e: Float32Array,
  dim: number,
  episodes = 1000,
) {
  const scorer = scorerFor(embeddingFor(recipe.head.kind).metric, dim, recipe.run);
  return [1, 5].map((shots) =>
    openSetAuroc(
      openSetEpisodes({
        labels,
        classes,
        supportedWays: classes.length - 1,
        shots,
        episodes,
        rng: recipeStream(42, STREAM.openSetValidation),
        measure: measureOnRows(scorer, e, dim),
        polarity: 'higher-is-same',
      }),
      'higher-is-same',
    ),
  );
}

export const mean = (rows: number[][]) =>
  rows[0]!.map((_, k) => rows.reduce((sum, r) => sum + r[k]!, 0) / rows.length);

export const pct = (x: number) => (100 * x).toFixed(1);

/**
 * --other's validation classes: the other dataset's classes with this recipe's seen ids (training split) and
 * every triplet of them. Refuses a recipe whose held-out ids differ from the other dataset's, before any training.
 */
export async function otherClasses(dataset: Dataset['name'], recipe: TrainRecipe) {
  const otherName = DATASET_NAMES.find((name) => name !== dataset)!;
  const otherHeldOut = preset(otherName, 'metric', true).heldOutClasses;
  if (otherHeldOut.join() !== recipe.heldOutClasses.join())
    throw new Error(`--other: ${otherName} holds out ${otherHeldOut}, this recipe ${recipe.heldOutClasses}`);
  const seen = seenClasses(recipe, 10);
  const foreign = selectClasses((await loadDataset(otherName)).train, seen);
  const triplets = combinations(seen.length, 3, Number.POSITIVE_INFINITY)!.map((t) => t.map((i) => seen[i]!));
  return { otherName, seen, foreign, triplets };
}

/** Embeddings `e` scored on every triplet: 3-way 1/5-shot (600 episodes) and open-set AUROC (300), means. */
export function tripletScores(
  recipe: TrainRecipe,
  labels: Uint8Array,
  triplets: number[][],
  e: Float32Array,
  dim: number,
) {
  const similarity = metricSimilarity(e, dim, 'cosine');
  return {
    shots: mean(triplets.map((t) => wayShots(labels, t, similarity, 600))),
    openSet: mean(triplets.map((t) => openSet(recipe, labels, t, e, dim, 300))),
  };
}

/** Raw pixels on the same triplet episodes as tripletScores: the baseline beside them. */
export function tripletPixels(foreign: { images: Uint8Array; labels: Uint8Array }, triplets: number[][]) {
  const pixels = rawPixelSimilarity(foreign.images);
  return mean(triplets.map((t) => wayShots(foreign.labels, t, pixels, 600)));
}
