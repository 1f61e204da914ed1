import { Registry } from '../registry.ts';
import { explicit } from './explicit.ts';
import { inBatch } from './in-batch.ts';
import type { PairingSpec } from './pairing.ts';

export type { EpochContext, EpochPlan, PairingSpec, StepOutcome } from './pairing.ts';

/** Every way of forming training pairs: add one by writing pairings/<name>.ts and registering it here. */
export const PAIRINGS = new Registry<PairingSpec>('pairing')
  .register('explicit', explicit)
  .register('in-batch', inBatch);
