import { PIXELS } from '../../images.ts';
import type { Rng } from '../../random.ts';
import type { Augmentation } from './index.ts';
import { AUGMENTATIONS } from './index.ts';

/** Applies a recipe's augmentations to training batches, drawing every image's random values from one stream. */
export interface Augmenter {
  /**
   * The batch's images (count × 28 × 28, values 0..1), each through the augmentations in order with its own
   * draws, as a new array; labels are not touched, so they stay with their images.
   */
  apply(batch: Float32Array, count: number): Float32Array;
  /** Draws what apply would for `count` images, without the images: a resumed epoch skips its taken steps. */
  skip(count: number): void;
}

/**
 * An Augmenter for `augmentations` drawing from `rng`, or undefined for an empty list: then nothing is drawn and
 * training sees the images as they are.
 */
export function createAugmenter(augmentations: readonly Augmentation[], rng: Rng): Augmenter | undefined {
  if (augmentations.length === 0) return undefined;
  const steps = augmentations.map((params) => ({ params, spec: AUGMENTATIONS.get(params.kind) }));
  const drawsPerImage = steps.reduce((sum, { spec }) => sum + spec.draws, 0);
  const u = new Float64Array(Math.max(...steps.map(({ spec }) => spec.draws)));
  const scratch = [new Float32Array(PIXELS), new Float32Array(PIXELS)] as const;
  return {
    apply(batch, count) {
      if (batch.length < count * PIXELS)
        throw new Error(`batch holds ${batch.length} floats, need ${count * PIXELS} for ${count} images`);
      const out = new Float32Array(count * PIXELS);
      for (let i = 0; i < count; i++) {
        let src = batch.subarray(i * PIXELS, (i + 1) * PIXELS);
        steps.forEach(({ params, spec }, s) => {
          for (let d = 0; d < spec.draws; d++) u[d] = rng.next();
          const dst = s === steps.length - 1 ? out.subarray(i * PIXELS, (i + 1) * PIXELS) : scratch[s % 2]!;
          spec.apply(src, dst, params, u);
          src = dst;
        });
      }
      return out;
    },
    skip(count) {
      for (let n = count * drawsPerImage; n > 0; n--) rng.next();
    },
  };
}
