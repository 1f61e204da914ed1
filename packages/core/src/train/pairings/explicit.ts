import { pairBatch } from '../../eval/evaluate.ts';
import { samplePairs, slicePairs } from '../pairs.ts';
import { trainStep } from '../steps.ts';
import type { EpochContext, EpochPlan, PairingSpec } from './pairing.ts';

/** pairsPerEpoch balanced pairs drawn at the epoch's start, both images of each through the tower. */
function plan(context: EpochContext): EpochPlan {
  const { model, optimizer, objective, images, index, batchSize, pairsPerEpoch, rng, threshold, augment } =
    context;
  if (objective.kind !== 'pair')
    throw new Error('explicit pairs need a pair loss; batch losses need in-batch pairing');
  const loss = objective.loss;
  const pairs = samplePairs(index, pairsPerEpoch, rng);
  let at = 0;
  return {
    steps: Math.ceil(pairs.count / batchSize),
    step() {
      const batch = slicePairs(pairs, at, at + batchSize);
      at += batchSize;
      const paired = pairBatch(images, batch, 0, batch.count);
      // Both images of every pair get their own draws.
      const images2n = augment ? augment.apply(paired, 2 * batch.count) : paired;
      const { loss: value, correct } = trainStep(model, optimizer, loss, images2n, batch.same, threshold);
      return { loss: value, correct, pairs: batch.count, scored: batch.count };
    },
    skip() {
      augment?.skip(2 * slicePairs(pairs, at, at + batchSize).count);
      at += batchSize;
    },
  };
}

export const explicit: PairingSpec = {
  summary:
    'balanced pairs, half same-class, both images of each through the tower (the Keras and PyTorch recipes)',
  stepsPerEpoch: (pairsPerEpoch, batchSize) => Math.ceil(pairsPerEpoch / batchSize),
  imagesPerStep: (batchSize) => 2 * batchSize,
  plan,
};
