// The public API of @twinnet/core, safe for browsers: nothing here imports a Node built-in or a native package.
// Node's extras (tfjs-node and native kernels, file I/O) are in '@twinnet/core/node'. Everything not exported
// here is private to the package.

export * from './artifacts.ts';
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
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  describeBackend,
  type InitBackendOptions,
} from './backend/info.ts';
export { initBackend } from './backend/select.ts';
export * from './bench-schema.ts';
export { type DatasetSplits, prepareData, type RunData } from './data.ts';
export { DATASET_NAMES, type DatasetSpec, datasetSpec } from './datasets.ts';
export {
  embed,
  embeddingDim,
  embeddingSimilarity,
  matrixSimilarity,
  negativeDistances,
  type PairScores,
  pairBatch,
  pairwiseDistances,
  scoreEmbeddedPairs,
  scorePairs,
  scoreWithObjective,
} from './evaluate.ts';
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
export {
  buildHead,
  EuclideanDistance,
  euclideanDistance,
  HEADS,
  type Head,
  type HeadKind,
  type HeadSpec,
  headPolarity,
  l2Normalize,
  type Polarity,
  pairwiseCosine,
} from './heads/index.ts';
export { gatherImages, IMAGE_SIZE, PIXELS } from './images.ts';
export { allPairs, type InBatchOptions, inBatchLoss, sampleClassBatch } from './inbatch.ts';
export { fetchIo, type ResourceIo } from './io/resource.ts';
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
export { MATCH_RANGES } from './match-options.ts';
export { cosineScorer, distanceScorer, measureOnRows, type Scorer, scorerFor } from './match-scores.ts';
export type { LoadOptions, Measure } from './matcher.ts';
export {
  type DecodedImage,
  type LabelDistance,
  Matcher,
  type MatcherSource,
  type MatchImage,
  type MatchOptions,
  type MatchResult,
  measureValue,
  type ThresholdSource,
  UNKNOWN,
} from './matcher.ts';
export {
  type EpisodeOptions,
  type EpisodeResult,
  episodeAccuracy,
  type SimilarityFn,
} from './metrics/episodes.ts';
export { precisionAt1 } from './metrics/knn.ts';
export {
  calibrateOpenSet,
  type MeasureFn,
  type OpenSetCalibration,
  type OpenSetEpisodeOptions,
  type OpenSetPoint,
  type OpenSetQueries,
  type OpenSetRates,
  type OpenSetTarget,
  openSetAuroc,
  openSetEpisodes,
  openSetRates,
} from './metrics/open-set.ts';
export { type LabelGroup, rankLabels } from './metrics/rank.ts';
export { rawPixelSimilarity } from './metrics/raw-pixels.ts';
export { type RocPoint, rocAuc, rocCurve } from './metrics/roc.ts';
export { median, percentile } from './metrics/stats.ts';
export { chooseThreshold, pairAccuracy, predictsSame, type ThresholdChoice } from './metrics/threshold.ts';
export {
  buildSiamese,
  disposeSiamese,
  type SiameseModel,
  type SiameseOptions,
  trainableVariables,
} from './model.ts';
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
  checkFigure,
  checkPixels,
  type PixelArray,
  type PreprocessOptions,
  type PreprocessStyle,
  preprocessImage,
} from './preprocess.ts';
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
export { createRng, type Rng, range, shuffleInPlace } from './random.ts';
export { checkNumber, describeRange, type NumberRange } from './ranges.ts';
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
export { Registry } from './registry.ts';
export { cosineRate, setLearningRate } from './schedule.ts';
export { NonFiniteLossError, type StepResult, trainStep, trainStepBatch, trainStepInBatch } from './steps.ts';
export { recipeStream, STREAM, streamSeed } from './streams.ts';
export { type ModelIdentity, ModelIdentitySchema, type Supports, SupportsSchema } from './supports.ts';
export { buildTower, TOWERS, type TowerKind, type TowerOptions, type TowerSpec } from './towers/index.ts';
