import { type Split, selectClasses, subset, validationSplit } from '@twinnet/datasets/split';
import { datasetSpec } from '../datasets.ts';
import { shuffleInPlace } from '../random.ts';
import type { FitData } from './fit.ts';
import { seenClasses, type TrainRecipe } from './recipe.ts';
import { recipeStream, STREAM } from './streams.ts';

/** A loaded dataset as the recipe needs it: the canonical splits and the dataset's name. */
export interface DatasetSplits {
  name: string;
  train: Split;
  test: Split;
}

/** What a recipe trains and validates on, and what it is tested on afterwards. */
export interface RunData extends FitData {
  train: Split;
  validation: Split;
  /** The canonical test split, all classes: used only for final figures, never for a choice. */
  test: Split;
  classCount: number;
}

/**
 * The recipe's data: a seeded validation split carved from the training split, held-out classes removed from
 * both, and the training images cut to `trainSize` (a seeded sample) when asked. With validation classes, those
 * leave training and validation holds all their training-split images instead: the run then chooses on classes
 * it never saw, as matching new classes asks of it.
 */
export function prepareData(recipe: TrainRecipe, dataset: DatasetSplits): RunData {
  if (dataset.name !== recipe.dataset)
    throw new Error(`recipe ${recipe.run} is for ${recipe.dataset}, but ${dataset.name} was given`);
  const classCount = datasetSpec(recipe.dataset).classNames.length;
  const classes = seenClasses(recipe, classCount);
  const split = validationSplit(dataset.train, recipe.data.validationFraction, recipe.seed);
  let train = selectClasses(split.train, classes);
  const { trainSize } = recipe.data;
  if (trainSize > 0 && trainSize < train.count) {
    const order = Int32Array.from({ length: train.count }, (_, i) => i);
    shuffleInPlace(order, recipeStream(recipe.seed, STREAM.trainSubset));
    train = subset(train, order.subarray(0, trainSize));
  }
  // Validation classes are never trained on, so all their training-split images can serve every choice; the
  // test split and the held-out classes stay out of it.
  const { validationClasses } = recipe;
  if (validationClasses.length === 0)
    return {
      train,
      validation: selectClasses(split.validation, classes),
      test: dataset.test,
      classes,
      classCount,
    };
  const validation = selectClasses(dataset.train, validationClasses);
  return { train, validation, test: dataset.test, classes, validationClasses, classCount };
}
