import { z } from 'zod';
import { IMAGE_SIZE } from '../../images.ts';
import { type AugmentParam, type AugmentSpec, inRange, symmetric } from './augmentation.ts';

const PARAMS = {
  rotation: { min: 0, max: 45, help: 'rotation, up to this many degrees either way' },
  scale: { min: 0, max: 0.5, help: 'zoom, up to this relative change either way (0.1: 90%–110%)' },
  shift: { min: 0, max: 8, help: 'shift, up to this many pixels either way, across and down independently' },
} as const satisfies Record<string, AugmentParam>;

export const AffineSchema = z.object({
  kind: z.literal('affine'),
  rotation: inRange(PARAMS.rotation),
  scale: inRange(PARAMS.scale),
  shift: inRange(PARAMS.shift),
});
export type AffineAugmentation = z.infer<typeof AffineSchema>;

/** One image's affine map: about the image's centre, then shifted. */
export interface AffineWarp {
  /** Degrees, counter-clockwise as seen on screen (rows run downwards). */
  degrees: number;
  /** Size factor: 1 keeps the size, 1.1 enlarges by 10%. */
  factor: number;
  /** Pixels rightwards and downwards. */
  dx: number;
  dy: number;
}

const CENTRE = (IMAGE_SIZE - 1) / 2;

/**
 * The inverse map as tf.image.transform's 8 numbers [a0, a1, a2, b0, b1, b2, 0, 0]: output pixel (x, y) reads
 * the input at (a0·x + a1·y + a2, b0·x + b1·y + b2).
 */
export function affineMatrix({ degrees, factor, dx, dy }: AffineWarp): number[] {
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta) / factor;
  const sin = Math.sin(theta) / factor;
  // input − c = R(−θ)(output − c − t) / factor
  const ox = CENTRE + dx;
  const oy = CENTRE + dy;
  return [cos, -sin, CENTRE - cos * ox + sin * oy, sin, cos, CENTRE - sin * ox - cos * oy, 0, 0];
}

/**
 * Warps one 28×28 image by `warp` with bilinear sampling and zero fill outside the image: the semantics of
 * tf.image.transform(image, affineMatrix(warp), 'bilinear', 'constant', 0), computed here in plain JavaScript.
 */
export function affineWarp(src: Float32Array, dst: Float32Array, warp: AffineWarp): void {
  const size = IMAGE_SIZE;
  const [a0, a1, a2, b0, b1, b2] = affineMatrix(warp) as [number, number, number, number, number, number];
  for (let y = 0; y < size; y++) {
    let ix = a1 * y + a2;
    let iy = b1 * y + b2;
    for (let x = 0; x < size; x++, ix += a0, iy += b0) {
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      let value = 0;
      if (x0 >= -1 && x0 < size && y0 >= -1 && y0 < size) {
        const fx = ix - x0;
        const fy = iy - y0;
        const top = y0 >= 0;
        const bottom = y0 + 1 < size;
        const left = x0 >= 0;
        const right = x0 + 1 < size;
        const p = y0 * size + x0;
        const v00 = top && left ? src[p]! : 0;
        const v01 = top && right ? src[p + 1]! : 0;
        const v10 = bottom && left ? src[p + size]! : 0;
        const v11 = bottom && right ? src[p + size + 1]! : 0;
        value = (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
      }
      dst[y * size + x] = value;
    }
  }
}

/** Small rotations, zooms and shifts: a digit or a garment stays what it was. */
export const affine: AugmentSpec<AffineAugmentation> = {
  summary: 'random rotation, zoom and shift about the centre (bilinear, zero fill)',
  params: PARAMS,
  draws: 4,
  apply(src, dst, { rotation, scale, shift }, u) {
    affineWarp(src, dst, {
      degrees: symmetric(rotation, u[0]!),
      factor: 1 + symmetric(scale, u[1]!),
      dx: symmetric(shift, u[2]!),
      dy: symmetric(shift, u[3]!),
    });
  },
};
