import { Registry } from '../../registry.ts';
import { cosine } from './cosine.ts';
import { distance } from './distance.ts';
import type { Head, HeadOptions, HeadSpec, Polarity } from './head.ts';
import { mlp } from './mlp.ts';

export { l2Normalize, pairwiseCosine } from './cosine.ts';
export type { Head, HeadOptions, HeadSpec, Polarity } from './head.ts';
export {
  CALIBRATION_LAYER,
  EuclideanDistance,
  euclideanDistance,
  PairFeatures,
  scoreToDistance,
} from './layers.ts';

/** Every head kind: add one by writing heads/<name>.ts and registering it here. */
export const HEADS = new Registry<HeadSpec>('head')
  .register('distance', distance)
  .register('mlp', mlp)
  .register('cosine', cosine);

export type HeadKind = string;

export function headPolarity(kind: HeadKind): Polarity {
  return HEADS.get(kind).polarity;
}

export function buildHead(kind: HeadKind, { hidden = 128, seed = 1 }: Partial<HeadOptions> = {}): Head {
  return HEADS.get(kind).build({ hidden, seed });
}
