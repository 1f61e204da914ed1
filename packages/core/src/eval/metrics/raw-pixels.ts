import { PIXELS } from '../../images.ts';
import type { SimilarityFn } from './episodes.ts';

/**
 * The baseline every one-shot figure stands beside: no model at all, by the same rule as the embeddings'
 * Euclidean episodes: each way's prototype is the mean of its support images, and a query's similarity to it
 * is the negative Euclidean distance of the raw pixels (scaled to [0, 1]).
 */
export function rawPixelSimilarity(images: Uint8Array): SimilarityFn {
  return (queries, supports, shots) => {
    const ways = supports.length / shots;
    const prototypes = new Float64Array(ways * PIXELS);
    for (let s = 0; s < supports.length; s++) {
      const from = supports[s]! * PIXELS;
      const to = Math.floor(s / shots) * PIXELS;
      for (let p = 0; p < PIXELS; p++) prototypes[to + p]! += images[from + p]! / shots;
    }
    const out = new Float32Array(queries.length * ways);
    for (let q = 0; q < queries.length; q++) {
      const a = queries[q]! * PIXELS;
      for (let w = 0; w < ways; w++) {
        let sum = 0;
        for (let p = 0; p < PIXELS; p++) {
          const d = images[a + p]! - prototypes[w * PIXELS + p]!;
          sum += d * d;
        }
        out[q * ways + w] = -Math.sqrt(sum) / 255;
      }
    }
    return out;
  };
}
