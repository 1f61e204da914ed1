import { Registry } from '../registry.ts';
import { bce } from './binary-cross-entropy.ts';
import { contrastive } from './contrastive.ts';
import type { LossParams, LossSpec, PairLoss } from './loss.ts';
import { supcon } from './supervised-contrastive.ts';

export { binaryCrossEntropyWithLogits } from './binary-cross-entropy.ts';
export { contrastiveLoss } from './contrastive.ts';
export type {
  BatchLoss,
  BatchLossSpec,
  LossParams,
  LossSpec,
  Objective,
  PairLoss,
  PairLossSpec,
} from './loss.ts';
export { supervisedContrastiveLoss } from './supervised-contrastive.ts';

/** Every loss: add one by writing losses/<name>.ts and registering it here. */
export const LOSSES = new Registry<LossSpec>('loss')
  .register('contrastive', contrastive)
  .register('bce', bce)
  .register('supcon', supcon);

/** A pair loss by name, for code that scores pairs outside a recipe (tests, evaluation). */
export function pairLoss(kind: string, params: Partial<LossParams> = {}): PairLoss {
  const spec = LOSSES.get(kind);
  if (spec.kind !== 'pair') throw new Error(`loss '${kind}' scores whole batches, not pairs`);
  return spec.create({ margin: 1, temperature: 0.1, ...params });
}
