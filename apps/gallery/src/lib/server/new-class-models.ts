// The new-class demo's choices for a dataset, from the published runs' metrics (build time).
import type { Metrics } from '@twinnet/core';
import { type NewClassModel, rankNewClassModels } from '../new-class-models.ts';
import { runEmbedding } from './training.ts';

const COMPARES = {
  euclidean: 'embedding distance',
  cosine: 'cosine similarity',
  head: 'its MLP head',
} as const;

export const newClassModel = (m: Metrics): NewClassModel => ({
  run: m.run,
  variant: m.recipe.variant,
  heldOutClasses: m.recipe.heldOutClasses,
  validationClasses: m.recipe.validationClasses,
  compares: COMPARES[runEmbedding(m).metric],
});

/** Every run of `dataset` among `runs`, ranked for the new-class demo: the first is its default. */
export const newClassModels = (dataset: string, runs: readonly Metrics[]): NewClassModel[] =>
  rankNewClassModels(dataset, runs.filter((m) => m.dataset === dataset).map(newClassModel));
