/** Side of an MNIST-style image; every tower takes 28×28×1. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Gathers images by index from a Uint8 split into one Float32 batch in [0, 1] (NHWC, one channel).
 * The batch is built once, here, and handed to tf.tensor4d without another copy.
 */
export function gatherImages(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const n = indices.length;
  const batch = out ?? new Float32Array(n * PIXELS);
  if (batch.length < n * PIXELS)
    throw new Error(`batch buffer holds ${batch.length} floats, need ${n * PIXELS}`);
  for (let i = 0; i < n; i++) {
    const src = indices[i]! * PIXELS;
    if (src < 0 || src + PIXELS > images.length) throw new Error(`image index ${indices[i]} is out of range`);
    const dst = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) batch[dst + p] = SCALE[images[src + p]!]!;
  }
  return batch;
}
