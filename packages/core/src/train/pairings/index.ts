import { Registry } from '../../registry.ts';
import { explicit } from './explicit.ts';
import { inBatch } from './in-batch.ts';
import type { PairingSpec } from './pairing.ts';

export type { EpochContext, EpochPlan, PairingSpec, StepOutcome } from './pairing.ts';

/** Every way of forming training pairs: add one by writing pairings/<name>.ts and registering it here. */
export const PAIRINGS = new Registry<PairingSpec>('pairing')
  .register('explicit', explicit)
  .register('in-batch', inBatch);

/** An epoch of a recipe in its pairing's own terms: steps, and images through the tower per step. */
export function epochShape(
  recipe: { pairing: { kind: string; views?: number }; pairsPerEpoch: number; batchSize: number },
  classes: number,
): { steps: number; images: number } {
  const pairing = PAIRINGS.get(recipe.pairing.kind);
  return {
    steps: pairing.stepsPerEpoch(recipe.pairsPerEpoch, recipe.batchSize),
    images: pairing.imagesPerStep(recipe.batchSize, classes, recipe.pairing.views),
  };
}
