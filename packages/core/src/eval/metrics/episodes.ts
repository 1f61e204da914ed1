import type { Rng } from '../../random.ts';

/**
 * Similarity of every query to every way (higher = more alike), row-major [queries × ways], where each way has
 * `shots` consecutive supports: to the way's prototype for an embedding (negative distance, cosine), the mean
 * logit over its supports for an MLP head.
 */
export type SimilarityFn = (queries: Int32Array, supports: Int32Array, shots: number) => Float32Array;

export interface EpisodeOptions {
  labels: Uint8Array;
  /** Classes episodes are drawn from (e.g. only the held-out ones). */
  classes: readonly number[];
  ways: number;
  shots: number;
  queriesPerClass?: number;
  episodes: number;
  rng: Rng;
  similarity: SimilarityFn;
}

export interface EpisodeResult {
  ways: number;
  shots: number;
  episodes: number;
  accuracy: number;
  /** Half-width of the 95% confidence interval of the mean episode accuracy. */
  ci95: number;
}

/**
 * N-way K-shot episodes: each draws N classes, K supports and some queries per class from disjoint images; a
 * query is assigned the most similar class, as the similarity compares a query with a class's supports.
 */
export function episodeAccuracy(options: EpisodeOptions): EpisodeResult {
  const { labels, classes, ways, shots, episodes, rng, similarity } = options;
  const queriesPerClass = options.queriesPerClass ?? 5;
  if (ways < 2 || ways > classes.length) throw new Error(`ways must be in 2..${classes.length}, got ${ways}`);
  if (shots < 1 || episodes < 1) throw new Error('shots and episodes must be at least 1');
  const byClass = new Map<number, number[]>(classes.map((c) => [c, []]));
  labels.forEach((label, i) => {
    byClass.get(label)?.push(i);
  });
  for (const [c, list] of byClass) {
    if (list.length < shots + queriesPerClass) {
      throw new Error(`class ${c} has ${list.length} images; an episode needs ${shots + queriesPerClass}`);
    }
  }
  const accuracies = new Float64Array(episodes);
  for (let e = 0; e < episodes; e++) {
    const chosen = sample(classes.length, ways, rng).map((i) => classes[i]!);
    const supports = new Int32Array(ways * shots);
    const queries = new Int32Array(ways * queriesPerClass);
    chosen.forEach((c, w) => {
      const list = byClass.get(c)!;
      const picks = sample(list.length, shots + queriesPerClass, rng);
      for (let s = 0; s < shots; s++) supports[w * shots + s] = list[picks[s]!]!;
      for (let q = 0; q < queriesPerClass; q++) queries[w * queriesPerClass + q] = list[picks[shots + q]!]!;
    });
    const sims = similarity(queries, supports, shots);
    let correct = 0;
    for (let q = 0; q < queries.length; q++) {
      let bestWay = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let w = 0; w < ways; w++) {
        const score = sims[q * ways + w]!;
        if (score > bestScore) {
          bestScore = score;
          bestWay = w;
        }
      }
      if (bestWay === Math.floor(q / queriesPerClass)) correct++;
    }
    accuracies[e] = correct / queries.length;
  }
  const mean = accuracies.reduce((s, x) => s + x, 0) / episodes;
  const variance = episodes > 1 ? accuracies.reduce((s, x) => s + (x - mean) ** 2, 0) / (episodes - 1) : 0;
  return { ways, shots, episodes, accuracy: mean, ci95: (1.96 * Math.sqrt(variance)) / Math.sqrt(episodes) };
}

/** k distinct integers from [0, n), by a partial Fisher–Yates shuffle. */
export function sample(n: number, k: number, rng: Rng): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}
