// Matching new classes: the Matcher, prototypes, scorers, saved supports and preprocessing of user images.
// Browser-safe, like the package's root door that re-exports it.

export type { CutOrigin, LoadOptions, Measure } from './matcher.ts';
export {
  type DecodedImage,
  type LabelDistance,
  Matcher,
  type MatcherSource,
  type MatchImage,
  type MatchOptions,
  type MatchResult,
  measureValue,
  parseRunInfo,
  type ThresholdSource,
  UNKNOWN,
} from './matcher.ts';
export { MATCH_RANGES } from './options.ts';
export {
  checkFigure,
  checkPixels,
  type PixelArray,
  type PreprocessOptions,
  type PreprocessStyle,
  preprocessImage,
} from './preprocess.ts';
export { cosineScorer, distanceScorer, measureOnRows, type Scorer, scorerFor } from './scores.ts';
export { type ModelIdentity, ModelIdentitySchema, type Supports, SupportsSchema } from './supports.ts';
