import { Registry } from '../../registry.ts';
import { LOSS_DEFAULTS } from '../recipe-schema.ts';
import { bce } from './binary-cross-entropy.ts';
import { contrastive } from './contrastive.ts';
import type { LossParams, LossSpec, PairLoss } from './loss.ts';
import { multiSimilarity } from './multi-similarity.ts';
import { normSoftmax } from './norm-softmax.ts';
import { supcon } from './supervised-contrastive.ts';

export { LOSS_DEFAULTS } from '../recipe-schema.ts';
export { binaryCrossEntropyWithLogits } from './binary-cross-entropy.ts';
export { contrastiveLoss } from './contrastive.ts';
export type {
  BatchLoss,
  BatchLossSpec,
  LossContext,
  LossParams,
  LossSpec,
  Objective,
  OwnedBatchLoss,
  PairLoss,
  PairLossSpec,
} from './loss.ts';
export { disposeObjective, objectiveVariables } from './loss.ts';
export { msPairMasks, multiSimilarityLoss } from './multi-similarity.ts';
export { normalisedSoftmaxLoss } from './norm-softmax.ts';
export { supervisedContrastiveLoss } from './supervised-contrastive.ts';

/** Every loss: add one by writing losses/<name>.ts and registering it here. */
export const LOSSES = new Registry<LossSpec>('loss')
  .register('contrastive', contrastive)
  .register('bce', bce)
  .register('supcon', supcon)
  .register('multi-similarity', multiSimilarity)
  .register('norm-softmax', normSoftmax);

/** A pair loss by name, for code that scores pairs outside a recipe (tests, evaluation). */
export function pairLoss(kind: string, params: Partial<LossParams> = {}): PairLoss {
  const spec = LOSSES.get(kind);
  if (spec.kind !== 'pair') throw new Error(`loss '${kind}' scores whole batches, not pairs`);
  return spec.create({ margin: 1, ...LOSS_DEFAULTS, ...params });
}
