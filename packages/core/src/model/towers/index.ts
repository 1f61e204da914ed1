import type * as tf from '@tensorflow/tfjs';
import { Registry } from '../../registry.ts';
import { deep } from './deep.ts';
import { encoder } from './encoder.ts';
import { small } from './small.ts';
import type { TowerOptions, TowerSpec } from './tower.ts';
import { vgg } from './vgg.ts';

export type { TowerOptions, TowerSpec } from './tower.ts';

/** Every tower kind: add one by writing towers/<name>.ts and registering it here. */
export const TOWERS = new Registry<TowerSpec>('tower')
  .register('small', small)
  .register('deep', deep)
  .register('encoder', encoder)
  .register('vgg', vgg);

export type TowerKind = string;

export function buildTower(kind: TowerKind, options: Partial<TowerOptions> = {}): tf.Sequential {
  const spec = TOWERS.get(kind);
  const width = options.width ?? 1;
  if (width !== 1 && !spec.scalable)
    throw new Error(`tower '${kind}' has no stages to widen: width must be 1`);
  return spec.build({
    embeddingDim: options.embeddingDim ?? spec.defaultEmbeddingDim,
    seed: options.seed ?? 1,
    width,
  });
}
