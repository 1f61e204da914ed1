import { z } from 'zod';
import type { NumberRange } from '../../ranges.ts';

/** A parameter of an augmentation: its documented range (a recipe's, a flag's) and what it does. */
export interface AugmentParam extends NumberRange {
  readonly help: string;
}

/**
 * One kind of label-preserving augmentation of a 28×28×1 image (values 0..1, background 0). Each image of a
 * batch gets its own random values: exactly `draws` uniform numbers from the run's augmentation stream, however
 * the parameters are set, so a resumed epoch can skip a step's draws without knowing what they were.
 */
export interface AugmentSpec<P extends { kind: string } = { kind: string }> {
  readonly summary: string;
  /** The kind's numeric parameters (the recipe's fields besides `kind`), by name. */
  readonly params: Readonly<Record<Exclude<keyof P, 'kind'>, AugmentParam>>;
  /** Uniform [0, 1) numbers drawn per image. */
  readonly draws: number;
  /** Writes the augmented `src` (one image) into `dst` (another), from the image's `draws` numbers `u`. */
  apply(src: Float32Array, dst: Float32Array, params: P, u: ArrayLike<number>): void;
}

/** A number field of an augmentation's recipe entry, in its documented range. */
export const inRange = (range: NumberRange) => z.number().min(range.min).max(range.max);

/** A random value in [−max, max) from a uniform draw u in [0, 1). */
export const symmetric = (max: number, u: number): number => max * (2 * u - 1);
