import { z } from 'zod';
import { Registry } from '../../registry.ts';
import { AffineSchema, affine } from './affine.ts';
import type { AugmentSpec } from './augmentation.ts';
import { StrokeSchema, stroke } from './stroke.ts';

export { type AffineAugmentation, type AffineWarp, affineMatrix, affineWarp } from './affine.ts';
export type { AugmentParam, AugmentSpec } from './augmentation.ts';
export { type StrokeAugmentation, strokeWidth } from './stroke.ts';

/**
 * Every augmentation kind: add one by writing augment/<name>.ts and registering it here, in the registry and in
 * the recipe's union. Plain JavaScript on the batch before it goes to the backend (no tfjs here: the recipe's
 * schema imports this module).
 */
export const AUGMENTATIONS = new Registry<AugmentSpec>('augmentation')
  .register('affine', affine)
  .register('stroke', stroke);

/** One entry of a recipe's augmentation list: a kind and its parameters, every number in its range. */
export const AugmentationSchema = z.discriminatedUnion('kind', [AffineSchema, StrokeSchema]);
export type Augmentation = z.infer<typeof AugmentationSchema>;
