// The public API of @twinnet/core. Everything not exported here is private to the package.

export * from './artifacts.ts';
export { BACKEND_NAMES, type BackendInfo, type BackendName, initBackend } from './backend/select.ts';
export * from './bench-schema.ts';
export {
  embed,
  embeddingDim,
  embeddingSimilarity,
  type PairScores,
  pairBatch,
  pairwiseDistances,
  scoreEmbeddedPairs,
  scorePairs,
} from './evaluate.ts';
export {
  EuclideanDistance,
  euclideanDistance,
  type Head,
  type HeadKind,
  headPolarity,
  type Polarity,
} from './heads.ts';
export { gatherImages, IMAGE_SIZE, PIXELS } from './images.ts';
export { allPairs, type InBatchOptions, inBatchLoss, sampleClassBatch } from './inbatch.ts';
export { binaryCrossEntropyWithLogits, contrastiveLoss, lossFor, type PairLoss } from './losses.ts';
export {
  type DecodedImage,
  type LabelDistance,
  Matcher,
  type MatcherSource,
  type MatchImage,
  type MatchOptions,
  type MatchResult,
  UNKNOWN,
} from './matcher.ts';
export {
  type EpisodeOptions,
  type EpisodeResult,
  episodeAccuracy,
  type SimilarityFn,
} from './metrics/episodes.ts';
export { precisionAt1 } from './metrics/knn.ts';
export { type RocPoint, rocAuc, rocCurve } from './metrics/roc.ts';
export { chooseThreshold, pairAccuracy, predictsSame, type ThresholdChoice } from './metrics/threshold.ts';
export {
  buildSiamese,
  disposeSiamese,
  type SiameseModel,
  type SiameseOptions,
  trainableVariables,
} from './model.ts';
export {
  type ClassIndex,
  indexByClass,
  type Pairs,
  type SameLabel,
  samplePairs,
  slicePairs,
} from './pairs.ts';
export { type PreprocessOptions, type PreprocessStyle, preprocessImage } from './preprocess.ts';
export { createRng, type Rng, shuffleInPlace } from './random.ts';
export { cosineRate, setLearningRate } from './schedule.ts';
export { type ModelIdentity, ModelIdentitySchema, type Supports, SupportsSchema } from './supports.ts';
export { buildTower, deepTower, smallTower, type TowerKind, type TowerOptions } from './towers.ts';
export {
  createOptimizer,
  type EpochOptions,
  type EpochStats,
  NonFiniteLossError,
  type OptimizerName,
  type PairMode,
  type StepResult,
  trainEpoch,
  trainStep,
  trainStepInBatch,
} from './train.ts';
