import { createRng, type Rng } from '../random.ts';

/**
 * Independent seeded streams per purpose, so changing one (say, the number of epochs) does not shift another.
 * The trainer, the bench and the PyTorch peer derive their generators with this one formula.
 */
export function streamSeed(seed: number, purpose: number): number {
  return (seed * 7919 + purpose * 104729) >>> 0;
}

export function recipeStream(seed: number, purpose: number): Rng {
  return createRng(streamSeed(seed, purpose));
}

/** The purposes a training run draws from; epoch e uses STREAM.epoch + e for its pairs. */
export const STREAM = {
  trainSubset: 1,
  validationPairs: 2,
  testPairs: 3,
  unseenOneShot: 4,
  unseenFiveShot: 5,
  allClassesOneShot: 6,
  embeddingSample: 7,
  predictions: 8,
  validationEpisodes: 9,
  validationClasses: 10,
  /** Open-set episodes: the cut's calibration on validation classes, and its check on the held-out ones. */
  openSetValidation: 11,
  openSetTest: 12,
  /** N-way 1-shot episodes on another dataset's test images (none of its classes trained on). */
  crossDatasetOneShot: 13,
  /** A batch loss's own initial weights (a proxy loss's class proxies). */
  lossWeights: 100,
  epoch: 1000,
  /** Training augmentation's draws; epoch e uses STREAM.augment + e (epochs stop at 1000). */
  augment: 2000,
} as const;
