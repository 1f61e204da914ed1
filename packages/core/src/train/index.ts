// Training: the recipe and its presets, fit and its steps, pairs, pairings, losses, optimizers, augmentation.
// Browser-safe, like the package's root door that re-exports it.

export { type Augmenter, createAugmenter } from './augment/augmenter.ts';
export { describeAugmentParams, parseAugmentations } from './augment/flag.ts';
export {
  type AffineAugmentation,
  type AffineWarp,
  AUGMENTATIONS,
  type Augmentation,
  AugmentationSchema,
  type AugmentParam,
  type AugmentSpec,
  affineMatrix,
  affineWarp,
  type StrokeAugmentation,
  strokeWidth,
} from './augment/index.ts';
export { type DatasetSplits, prepareData, type RunData } from './data.ts';
export {
  buildTraining,
  type FitData,
  type FitHooks,
  type FitResult,
  type FitState,
  fit,
  type LabelledImages,
  type StepEvent,
  type Training,
  validationTransfer,
} from './fit.ts';
export { allPairs, type InBatchOptions, inBatchLoss, sampleClassBatch } from './inbatch.ts';
export {
  type BatchLoss,
  type BatchLossSpec,
  binaryCrossEntropyWithLogits,
  contrastiveLoss,
  disposeObjective,
  LOSS_DEFAULTS,
  LOSSES,
  type LossContext,
  type LossParams,
  type LossSpec,
  msPairMasks,
  multiSimilarityLoss,
  normalisedSoftmaxLoss,
  type Objective,
  type OwnedBatchLoss,
  objectiveVariables,
  type PairLoss,
  type PairLossSpec,
  pairLoss,
  supervisedContrastiveLoss,
} from './losses/index.ts';
export { createOptimizer, OPTIMIZERS, type OptimizerName, type OptimizerSpec } from './optimizers/index.ts';
export {
  type EpochContext,
  type EpochPlan,
  epochShape,
  PAIRINGS,
  type PairingSpec,
} from './pairings/index.ts';
export {
  type ClassIndex,
  indexByClass,
  type Pairs,
  type SameLabel,
  samplePairs,
  slicePairs,
} from './pairs.ts';
export {
  DEFAULT_HELD_OUT,
  defaultRecipes,
  drawValidationClasses,
  PRESET_VARIANTS,
  type PresetVariant,
  preset,
  trainingCost,
  VARIANTS,
  type Variant,
} from './presets.ts';
export {
  checkRecipe,
  RecipeError,
  type RecipeOverrides,
  refitRecipe,
  resumeKey,
  seenClasses,
  type TrainRecipe,
  TrainRecipeSchema,
  withOverrides,
} from './recipe.ts';
export { cosineRate, setLearningRate } from './schedule.ts';
export { NonFiniteLossError, type StepResult, trainStep, trainStepBatch, trainStepInBatch } from './steps.ts';
export { recipeStream, STREAM, streamSeed } from './streams.ts';
