// Evaluation: embedding and pair scoring, and the metrics (threshold, ROC, episodes, open set, kNN).
// Browser-safe, like the package's root door that re-exports it.

export {
  embed,
  embeddingDim,
  embeddingSimilarity,
  matrixSimilarity,
  metricSimilarity,
  negativeDistances,
  type PairScores,
  pairBatch,
  pairwiseDistances,
  type ScoredSet,
  scoreEmbeddedPairs,
  scorePairs,
  scoreWithObjective,
} from './evaluate.ts';
export { aucAtChance, chanceAucNoise } from './metrics/chance.ts';
export { combinations } from './metrics/combinations.ts';
export {
  type EpisodeOptions,
  type EpisodeResult,
  episodeAccuracy,
  type SimilarityFn,
} from './metrics/episodes.ts';
export { nearestNeighbours, precisionAt1 } from './metrics/knn.ts';
export {
  calibrateOpenSet,
  cutForSupports,
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
  type ShotsCut,
  thinSweep,
} from './metrics/open-set.ts';
export { type LabelGroup, rankLabels } from './metrics/rank.ts';
export { rawPixelSimilarity } from './metrics/raw-pixels.ts';
export { type RocPoint, rocAuc, rocCurve } from './metrics/roc.ts';
export { median, percentile } from './metrics/stats.ts';
export { chooseThreshold, pairAccuracy, predictsSame, type ThresholdChoice } from './metrics/threshold.ts';
