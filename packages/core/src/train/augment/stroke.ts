import { z } from 'zod';
import { IMAGE_SIZE } from '../../images.ts';
import { type AugmentParam, type AugmentSpec, inRange, symmetric } from './augmentation.ts';

const PARAMS = {
  thickness: {
    min: 0,
    max: 1,
    help: 'stroke width change, up to this share of a 1-pixel thickening or thinning either way',
  },
} as const satisfies Record<string, AugmentParam>;

export const StrokeSchema = z.object({ kind: z.literal('stroke'), thickness: inRange(PARAMS.thickness) });
export type StrokeAugmentation = z.infer<typeof StrokeSchema>;

/** Each pixel's row neighbourhood extreme (the first pass of the separable 3×3 one). */
const rows = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);

/**
 * Grey dilation (amount > 0) or erosion (amount < 0) over each pixel's 3×3 neighbourhood inside the image,
 * blended with the image by |amount| ≤ 1: 1 is a full 1-pixel thickening or thinning, 0 leaves it as it was.
 */
export function strokeWidth(src: Float32Array, dst: Float32Array, amount: number): void {
  const size = IMAGE_SIZE;
  const t = Math.abs(amount);
  const thicken = amount > 0;
  // Separable: the extreme of each row triple, then of each column triple of those.
  for (let y = 0; y < size; y++) {
    const r = y * size;
    for (let x = 0; x < size; x++) {
      const left = x > 0 ? src[r + x - 1]! : src[r + x]!;
      const right = x < size - 1 ? src[r + x + 1]! : src[r + x]!;
      rows[r + x] = thicken ? Math.max(left, src[r + x]!, right) : Math.min(left, src[r + x]!, right);
    }
  }
  for (let y = 0; y < size; y++) {
    const r = y * size;
    const up = y > 0 ? r - size : r;
    const down = y < size - 1 ? r + size : r;
    for (let x = 0; x < size; x++) {
      const v = src[r + x]!;
      const a = rows[up + x]!;
      const b = rows[r + x]!;
      const c = rows[down + x]!;
      dst[r + x] = v + t * ((thicken ? Math.max(a, b, c) : Math.min(a, b, c)) - v);
    }
  }
}

/** Thicker or thinner strokes, as from another pen. */
export const stroke: AugmentSpec<StrokeAugmentation> = {
  summary: 'random stroke width: a blend towards a 3×3 grey dilation or erosion',
  params: PARAMS,
  draws: 1,
  apply(src, dst, { thickness }, u) {
    strokeWidth(src, dst, symmetric(thickness, u[0]!));
  },
};
