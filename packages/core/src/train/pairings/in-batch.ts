import { gatherImages } from '../../images.ts';
import { sampleClassBatch, sampleLabelledClassBatch } from '../inbatch.ts';
import { trainStepBatch, trainStepInBatch } from '../steps.ts';
import type { EpochContext, EpochPlan, PairingSpec } from './pairing.ts';

/** Images per class in a batch of about batchSize images over `classes` classes (at least 2, to make pairs). */
export const perClass = (batchSize: number, classes: number): number =>
  Math.max(2, Math.floor(batchSize / classes));

/**
 * P×K batches, every class of the training set × ⌊batch / P⌋ images each, drawn afresh every step; every pair
 * inside a batch is scored, so each image passes through the tower once for m − 1 pairs.
 */
function plan(context: EpochContext): EpochPlan {
  const { model, optimizer, objective, images, index, batchSize, pairsPerEpoch, balance, rng, threshold } =
    context;
  const { augment, views = 1 } = context;
  const classes = index.classes.length;
  const k = perClass(batchSize, classes);
  return {
    steps: inBatch.stepsPerEpoch(pairsPerEpoch, batchSize),
    step() {
      // Labels are the classes themselves: pair losses only compare them, a proxy loss looks its proxies up by them.
      const drawn = sampleLabelledClassBatch(index, classes, k, rng);
      const { ids, labels, instances } = withViews(drawn, views);
      const gathered = gatherImages(images, ids);
      const batch = augment ? augment.apply(gathered, ids.length) : gathered;
      if (objective.kind === 'batch') {
        const { loss, variables } = objective;
        const step = trainStepBatch(model, optimizer, loss, batch, labels, variables, instances);
        return { ...step, pairs: (ids.length * (ids.length - 1)) / 2 };
      }
      const step = trainStepInBatch(model, optimizer, objective.loss, batch, labels, { balance }, threshold);
      return { ...step, scored: step.pairs };
    },
    skip() {
      const ids = sampleClassBatch(index, classes, k, rng);
      augment?.skip(ids.length * views);
    },
  };
}

/** The batch with each image `views` times over (view v of image i at row v·m + i), and which rows share an image. */
function withViews(
  { ids, labels }: { ids: Int32Array; labels: ArrayLike<number> },
  views: number,
): { ids: Int32Array; labels: ArrayLike<number>; instances?: Int32Array } {
  if (views === 1) return { ids, labels };
  const m = ids.length;
  const repeat = (n: number, at: (i: number) => number) =>
    Int32Array.from({ length: n * views }, (_, r) => at(r % n));
  return {
    ids: repeat(m, (i) => ids[i]!),
    labels: repeat(m, (i) => labels[i]!),
    instances: repeat(m, (i) => i),
  };
}

export const inBatch: PairingSpec = {
  summary:
    'every pair inside class-balanced batches (P classes × K images), each image through the tower once',
  // As many images as the explicit pairs would push through the tower: 2 per pair.
  stepsPerEpoch: (pairsPerEpoch, batchSize) => Math.ceil((2 * pairsPerEpoch) / batchSize),
  imagesPerStep: (batchSize, classes, views = 1) => classes * perClass(batchSize, classes) * views,
  plan,
};
