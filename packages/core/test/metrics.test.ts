import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { episodeAccuracy } from '../src/eval/metrics/episodes.ts';
import { nearestNeighbours, precisionAt1 } from '../src/eval/metrics/knn.ts';
import { rawPixelSimilarity } from '../src/eval/metrics/raw-pixels.ts';
import { rocAuc, rocCurve } from '../src/eval/metrics/roc.ts';
import { chooseThreshold, pairAccuracy } from '../src/eval/metrics/threshold.ts';
import { createRng } from '../src/random.ts';

describe('thresholds', () => {
  const distances = [0.1, 0.2, 0.3, 0.9, 0.4, 1.1, 1.2];
  const same = [1, 1, 1, 1, 0, 0, 0];

  it('computes pair accuracy for distances and logits', () => {
    // At 0.5: the 0.9 positive and the 0.4 negative are wrong.
    expect(pairAccuracy(distances, same, 0.5, 'lower-is-same')).toBeCloseTo(5 / 7);
    expect(pairAccuracy([2, -1, 0.5], [1, 0, 0], 0, 'higher-is-same')).toBeCloseTo(2 / 3);
  });

  it('chooses the accuracy-maximising cut between neighbouring scores', () => {
    const choice = chooseThreshold(distances, same, 'lower-is-same');
    // Cutting between 0.9 and 1.1 gets 6/7 (only the 0.4 negative is wrong); no cut does better.
    expect(choice.accuracy).toBeCloseTo(6 / 7);
    expect(choice.threshold).toBeCloseTo(1.0);
    expect(pairAccuracy(distances, same, choice.threshold, 'lower-is-same')).toBeCloseTo(choice.accuracy);
    const logits = chooseThreshold([3, 2, -1, -2], [1, 1, 0, 0], 'higher-is-same');
    expect(logits.accuracy).toBe(1);
    expect(logits.threshold).toBeCloseTo(0.5);
  });

  it('refuses NaN scores and length mismatches', () => {
    expect(() => pairAccuracy([Number.NaN], [1], 0, 'higher-is-same')).toThrow(/finite/);
    expect(() => chooseThreshold([1, 2], [1], 'higher-is-same')).toThrow(/differ in length/);
  });
});

describe('ROC', () => {
  it('AUC is 1 for perfect separation, 0.5 for ties, and counts mis-ordered pairs', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0], 'lower-is-same')).toBe(1);
    expect(rocAuc([1, 1, 1, 1], [1, 0, 1, 0], 'higher-is-same')).toBe(0.5);
    // Positives 3, 1; negatives 2, 0: of 4 (pos, neg) pairs, (1 vs 2) is mis-ordered: AUC 3/4.
    expect(rocAuc([3, 1, 2, 0], [1, 1, 0, 0], 'higher-is-same')).toBe(0.75);
  });

  it('curve runs from (0,0) to (1,1) and is monotone', () => {
    const points = rocCurve([3, 1, 2, 0, 5, -1], [1, 1, 0, 0, 1, 0], 'higher-is-same');
    expect(points[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.fpr).toBeGreaterThanOrEqual(points[i - 1]!.fpr);
      expect(points[i]!.tpr).toBeGreaterThanOrEqual(points[i - 1]!.tpr);
    }
  });
});

describe('episodes and nearest neighbours', () => {
  // Class c sits at position c on a line, with small per-image jitter.
  const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 5);
  const positions = Float32Array.from(labels, (c, i) => c + ((i * 37) % 10) / 100);
  const similarity = (noise: number) => (queries: Int32Array, supports: Int32Array) => {
    const out = new Float32Array(queries.length * supports.length);
    for (let i = 0; i < queries.length; i++) {
      for (let j = 0; j < supports.length; j++) {
        const q = queries[i]!;
        const s = supports[j]!;
        out[i * supports.length + j] =
          -Math.abs(positions[q]! - positions[s]!) + noise * Math.sin(q * 31 + s * 17);
      }
    }
    return out;
  };

  it('is perfect on separable classes, near chance on noise, and reports an interval', () => {
    const base = { labels, classes: [0, 1, 2, 3, 4], ways: 5, shots: 1, episodes: 200 };
    const clean = episodeAccuracy({ ...base, rng: createRng(1), similarity: similarity(0) });
    expect(clean.accuracy).toBe(1);
    expect(clean.ci95).toBe(0);
    const noisy = episodeAccuracy({ ...base, rng: createRng(1), similarity: similarity(100) });
    expect(noisy.accuracy).toBeGreaterThan(0.1);
    expect(noisy.accuracy).toBeLessThan(0.35);
    expect(noisy.ci95).toBeGreaterThan(0);
  });

  it('rejects impossible episodes', () => {
    expect(() =>
      episodeAccuracy({
        labels,
        classes: [0, 1],
        ways: 3,
        shots: 1,
        episodes: 1,
        rng: createRng(1),
        similarity: similarity(0),
      }),
    ).toThrow(/ways/);
  });

  it('precision@1 agrees with a scan over every point, ties and all, and leaks nothing', () => {
    const scan = (e: Float32Array, l: ArrayLike<number>, dim: number) => {
      let hits = 0;
      for (let i = 0; i < l.length; i++) {
        let [best, bestJ] = [Number.POSITIVE_INFINITY, -1];
        for (let j = 0; j < l.length; j++) {
          if (j === i) continue;
          let d = 0;
          for (let x = 0; x < dim; x++) d += (e[i * dim + x]! - e[j * dim + x]!) ** 2;
          if (d < best) [best, bestJ] = [d, j];
        }
        if (l[bestJ] === l[i]) hits++;
      }
      return hits / l.length;
    };
    const rng = createRng(9);
    const before = tf.memory().numTensors;
    // 600 points (three blocks, the last one short) in 20 dimensions, noisy classes; then coarse values, where
    // many distances tie exactly and the first of equals decides.
    for (const [n, dim, levels] of [
      [600, 20, 0],
      [300, 3, 3],
      [2, 5, 0],
    ] as const) {
      const l = Uint8Array.from({ length: n }, () => rng.int(4));
      const e = Float32Array.from({ length: n * dim }, (_, p) => {
        const v = l[Math.floor(p / dim)]! * 0.3 + rng.next();
        return levels ? Math.round(v * levels) / levels : v;
      });
      expect(precisionAt1(e, l, dim)).toBe(scan(e, l, dim));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("nearestNeighbours gives each point itself, then its k − 1 nearest by a scan's exact distances", () => {
    const rng = createRng(12);
    const before = tf.memory().numTensors;
    const [n, dim, k] = [300, 17, 15];
    const e = Float32Array.from({ length: n * dim }, () => rng.next());
    const { indices, distances } = nearestNeighbours(e, dim, k);
    for (let i = 0; i < n; i++) {
      const byScan = Array.from({ length: n }, (_, j) => ({
        j,
        d: Math.sqrt(
          Array.from({ length: dim }, (_, x) => (e[i * dim + x]! - e[j * dim + x]!) ** 2).reduce(
            (s, v) => s + v,
            0,
          ),
        ),
      }))
        .filter(({ j }) => j !== i)
        .sort((a, b) => a.d - b.d)
        .slice(0, k - 1);
      expect(indices[i]).toEqual([i, ...byScan.map(({ j }) => j)]);
      expect(distances[i]![0]).toBe(0);
      for (let c = 1; c < k; c++) expect(distances[i]![c]).toBeCloseTo(byScan[c - 1]!.d, 5);
    }
    // Fewer points than k + 8 candidates, and a single point.
    expect(nearestNeighbours(Float32Array.of(0, 3, 1), 1, 3).indices).toEqual([
      [0, 2, 1],
      [1, 2, 0],
      [2, 0, 1],
    ]);
    expect(nearestNeighbours(Float32Array.of(4, 4), 2, 1)).toEqual({ indices: [[0]], distances: [[0]] });
    expect(() => nearestNeighbours(Float32Array.of(1, 2, 3), 2, 1)).toThrow(/3 floats of 2 values/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('precision@1 finds same-class neighbours', () => {
    expect(precisionAt1(positions, labels, 1)).toBe(1);
    const scrambled = Uint8Array.from(labels, (_, i) => Math.floor(i / 7) % 5);
    expect(precisionAt1(positions, scrambled, 1)).toBeLessThan(0.5);
  });
});

describe('rawPixelSimilarity', () => {
  it('is minus the Euclidean distance of the pixels in [0, 1]', () => {
    const images = new Uint8Array(3 * 784);
    images.fill(255, 784, 784 + 4); // image 1: four white pixels
    images.fill(51, 2 * 784, 2 * 784 + 784); // image 2: all 0.2
    const sims = rawPixelSimilarity(images)(Int32Array.from([0]), Int32Array.from([0, 1, 2]), 1);
    // 0 to itself; sqrt(4 × 1²) = 2 to image 1; sqrt(784 × 0.2²) = 5.6 to image 2.
    expect(Array.from(sims).map((v) => Number(v.toFixed(5)))).toEqual([0, -2, -5.6]);
    // Two shots of one way: the distance to their mean image (four pixels at 0.6, the rest at 0.1).
    const [toMean] = rawPixelSimilarity(images)(Int32Array.from([0]), Int32Array.from([1, 2]), 2);
    expect(toMean).toBeCloseTo(-Math.sqrt(4 * 0.6 ** 2 + 780 * 0.1 ** 2), 5);
  });

  it('drives episodes: perfect when classes differ in their pixels, chance when they do not', () => {
    const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 3);
    // Each class a constant grey: raw pixels separate them perfectly.
    const grey = Uint8Array.from({ length: 60 * 784 }, (_, p) => 80 * labels[Math.floor(p / 784)]!);
    const run = (rng: number, images = grey) =>
      episodeAccuracy({
        labels,
        classes: [0, 1, 2],
        ways: 3,
        shots: 1,
        episodes: 20,
        rng: createRng(rng),
        similarity: rawPixelSimilarity(images),
      });
    expect(run(4).accuracy).toBe(1);
    // Every image the same: all ways tie and the first wins, one query class in three.
    expect(run(4, new Uint8Array(60 * 784)).accuracy).toBeCloseTo(1 / 3, 10);
  });
});
