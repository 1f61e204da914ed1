import { PIXELS } from '../images.ts';
import type { SimilarityFn } from './episodes.ts';

/**
 * The baseline every one-shot figure stands beside: no model at all, images compared by the Euclidean distance
 * of their raw pixels (scaled to [0, 1]). Negative distance, so higher means more alike, as SimilarityFn wants.
 */
export function rawPixelSimilarity(images: Uint8Array): SimilarityFn {
  return (queries, supports) => {
    const out = new Float32Array(queries.length * supports.length);
    for (let q = 0; q < queries.length; q++) {
      const a = queries[q]! * PIXELS;
      for (let s = 0; s < supports.length; s++) {
        const b = supports[s]! * PIXELS;
        let sum = 0;
        for (let p = 0; p < PIXELS; p++) {
          const d = images[a + p]! - images[b + p]!;
          sum += d * d;
        }
        out[q * supports.length + s] = -Math.sqrt(sum) / 255;
      }
    }
    return out;
  };
}
