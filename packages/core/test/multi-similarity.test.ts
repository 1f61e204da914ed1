import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../src/random.ts';
import {
  type MultiSimilarityOptions,
  msPairMasks,
  multiSimilarityLoss,
} from '../src/train/losses/multi-similarity.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DEFAULTS: MultiSimilarityOptions = { alpha: 2, beta: 50, base: 0.5, epsilon: 0.1 };

const cosines = (rows: number[][]) => {
  const z = rows.map((r) => {
    const norm = Math.hypot(...r);
    return r.map((v) => v / norm);
  });
  return (i: number, j: number) => z[i]!.reduce((s, v, k) => s + v * z[j]![k]!, 0);
};

/**
 * Multi-similarity worked out by hand in float64: cosines, the paper's mining against each anchor's hardest
 * positive and negative, (1/α) log(1 + Σ e^{−α(S − λ)}) + (1/β) log(1 + Σ e^{β(S − λ)}), summed and divided by m.
 */
function reference(
  rows: number[][],
  labels: number[],
  { alpha, beta, base, epsilon }: MultiSimilarityOptions,
) {
  const sim = cosines(rows);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const others = rows.map((_, j) => j).filter((j) => j !== i);
    const positives = others.filter((j) => labels[j] === labels[i]);
    const negatives = others.filter((j) => labels[j] !== labels[i]);
    if (positives.length === 0 || negatives.length === 0) continue;
    const hardestPositive = Math.min(...positives.map((j) => sim(i, j)));
    const hardestNegative = Math.max(...negatives.map((j) => sim(i, j)));
    const keptPositives = positives.filter((j) => sim(i, j) - epsilon < hardestNegative);
    const keptNegatives = negatives.filter((j) => sim(i, j) + epsilon > hardestPositive);
    total +=
      Math.log(1 + keptPositives.reduce((s, j) => s + Math.exp(-alpha * (sim(i, j) - base)), 0)) / alpha +
      Math.log(1 + keptNegatives.reduce((s, j) => s + Math.exp(beta * (sim(i, j) - base)), 0)) / beta;
  }
  return total / rows.length;
}

/** How far the nearest mining decision is from flipping: central differences are only valid well inside it. */
function miningSlack(rows: number[][], labels: number[], epsilon: number): number {
  const sim = cosines(rows);
  let slack = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rows.length; i++) {
    const others = rows.map((_, j) => j).filter((j) => j !== i);
    const positives = others.filter((j) => labels[j] === labels[i]).map((j) => sim(i, j));
    const negatives = others.filter((j) => labels[j] !== labels[i]).map((j) => sim(i, j));
    if (positives.length === 0 || negatives.length === 0) continue;
    const hardestPositive = Math.min(...positives);
    const hardestNegative = Math.max(...negatives);
    for (const s of positives) slack = Math.min(slack, Math.abs(s - epsilon - hardestNegative));
    for (const s of negatives) slack = Math.min(slack, Math.abs(s + epsilon - hardestPositive));
  }
  return slack;
}

const value = (loss: tf.Scalar) => {
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
};

/** m rows of d Gaussian-ish numbers from a seeded stream. */
const randomRows = (seed: number, m: number, d: number) => {
  const rng = createRng(seed);
  return Array.from({ length: m }, () => Array.from({ length: d }, () => rng.next() + rng.next() - 1));
};

describe('multiSimilarityLoss', () => {
  // Classes of 3, 2, 2 and 1 images: every anchor kind, including one without a positive.
  const labels = [0, 0, 0, 1, 1, 2, 2, 3];

  it('matches values worked out by hand', () => {
    // a = (2, 0), b = (4, 3), c = (3, 4), labels 0, 0, 1; normalised: (1, 0), (0.8, 0.6), (0.6, 0.8), so
    // S_ab = 0.8, S_ac = 0.6, S_bc = 0.48 + 0.48 = 0.96.
    // Anchor a: hardest positive 0.8, hardest negative 0.6. Negative c is kept iff 0.6 + 0.1 > 0.8: no; positive b
    //   iff 0.8 − 0.1 < 0.6: no. Nothing is mined: a contributes 0.
    // Anchor b: hardest positive 0.8 (a), hardest negative 0.96 (c). c: 0.96 + 0.1 > 0.8, kept; a: 0.7 < 0.96, kept.
    //   Its term: ½ log(1 + e^{−2(0.8 − 0.5)}) + (1/50) log(1 + e^{50(0.96 − 0.5)})
    //           = ½ log(1 + e^{−0.6}) + (1/50) log(1 + e^{23}) = 0.2187440 + 0.4600000 = 0.6787440.
    // Anchor c: no positive, no term. The sum over 3 anchors, divided by m = 3: 0.2262480.
    const small = tf.tensor2d([
      [2, 0],
      [4, 3],
      [3, 4],
    ]);
    const byHand = (0.5 * Math.log(1 + Math.exp(-0.6)) + Math.log(1 + Math.exp(23)) / 50) / 3;
    expect(byHand).toBeCloseTo(0.226248, 6);
    expect(value(multiSimilarityLoss(DEFAULTS)(small, [0, 0, 1]))).toBeCloseTo(byHand, 5);
    const masks = msPairMasks([1, 0.8, 0.6, 0.8, 1, 0.96, 0.6, 0.96, 1], [0, 0, 1], 0.1);
    expect(Array.from(masks.positives)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(masks.negatives)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0]);
    small.dispose();
  });

  it('matches a float64 reference on random batches, for several settings', () => {
    const settings: MultiSimilarityOptions[] = [
      DEFAULTS,
      { alpha: 2, beta: 50, base: 1, epsilon: 0.1 },
      { alpha: 1, beta: 10, base: 0.3, epsilon: 0 },
      { alpha: 2, beta: 40, base: 0.5, epsilon: 2 },
    ];
    for (const seed of [1, 2, 3]) {
      const rows = randomRows(seed, labels.length, 4);
      const e = tf.tensor2d(rows);
      for (const options of settings) {
        const expected = reference(rows, labels, options);
        expect(value(multiSimilarityLoss(options)(e, labels))).toBeCloseTo(expected, 5);
      }
      e.dispose();
    }
  });

  it('is 0 when every pair is easy: nothing is mined', () => {
    // Positives at cosine ≈ 1, negatives at ≈ 0.01: no negative comes within ε of a positive.
    const easy = tf.tensor2d([
      [1, 0],
      [1, 0.01],
      [0, 1],
      [0.01, 1],
    ]);
    expect(value(multiSimilarityLoss(DEFAULTS)(easy, [0, 0, 1, 1]))).toBe(0);
    // With a wide enough ε every pair is mined and the loss is positive (and matches the reference).
    const wide = { ...DEFAULTS, epsilon: 2 };
    const rows = easy.arraySync() as number[][];
    expect(value(multiSimilarityLoss(wide)(easy, [0, 0, 1, 1]))).toBeCloseTo(
      reference(rows, [0, 0, 1, 1], wide),
      5,
    );
    easy.dispose();
  });

  it('is 0 with a zero gradient when no anchor has a positive, or none has a negative', () => {
    const rows = randomRows(4, 5, 3);
    const x = tf.tensor2d(rows);
    for (const edge of [
      [0, 1, 2, 3, 4],
      [7, 7, 7, 7, 7],
    ]) {
      const loss = multiSimilarityLoss(DEFAULTS);
      expect(value(loss(x, edge))).toBe(0);
      const grad = tf.grad((e: tf.Tensor) => loss(e, edge))(x);
      expect(Array.from(grad.dataSync()).every((g) => g === 0)).toBe(true);
      grad.dispose();
    }
    // An anchor without a positive adds no term but counts in m (as in the paper): a lone image far from all
    // others (mined by no anchor, nobody's hardest negative) scales the loss of 4 images by 4/5.
    const pair = [
      [1, 0],
      [0, 1],
      [0.8, 0.6],
      [0.6, 0.8],
    ];
    const four = tf.tensor2d(pair);
    const five = tf.tensor2d([...pair, [-1, -1]]);
    const four0 = value(multiSimilarityLoss(DEFAULTS)(four, [0, 0, 1, 1]));
    expect(four0).toBeGreaterThan(0);
    expect(value(multiSimilarityLoss(DEFAULTS)(five, [0, 0, 1, 1, 2]))).toBeCloseTo((4 * four0) / 5, 6);
    tf.dispose([x, four, five]);
  });

  it('is smaller when classes are pulled together and pushed apart', () => {
    const tight = tf.tensor2d([
      [1, 0],
      [1, 0.2],
      [0, 1],
      [0.2, 1],
    ]);
    const loose = tf.tensor2d([
      [1, 0],
      [0.6, 1],
      [0, 1],
      [1, 0.6],
    ]);
    const loss = multiSimilarityLoss(DEFAULTS);
    expect(value(loss(tight, [0, 0, 1, 1]))).toBeLessThan(value(loss(loose, [0, 0, 1, 1])));
    tf.dispose([tight, loose]);
  });

  it('has the gradient central differences give, with no gradient through the mining', () => {
    for (const [seed, options] of [
      [5, DEFAULTS],
      [6, { alpha: 1, beta: 10, base: 0.3, epsilon: 0.05 }],
    ] as const) {
      const rows = randomRows(seed, labels.length, 3);
      // Central differences see the mining as constant only if no decision flips within the step.
      expect(miningSlack(rows, labels, options.epsilon)).toBeGreaterThan(1e-3);
      const x = tf.tensor2d(rows);
      const loss = multiSimilarityLoss(options);
      const grad = tf.grad((e: tf.Tensor) => loss(e, labels))(x);
      const analytic = grad.arraySync() as number[][];
      const h = 1e-5;
      let nonZero = 0;
      for (let i = 0; i < rows.length; i++) {
        for (let k = 0; k < 3; k++) {
          const shifted = (d: number) =>
            rows.map((r, a) => r.map((v, b) => (a === i && b === k ? v + d : v)));
          const numeric =
            (reference(shifted(h), labels, options) - reference(shifted(-h), labels, options)) / (2 * h);
          expect(analytic[i]![k]!).toBeCloseTo(numeric, 3);
          if (Math.abs(numeric) > 1e-3) nonZero++;
        }
      }
      expect(nonZero).toBeGreaterThan(6);
      tf.dispose([x, grad]);
    }
  });

  it('leaks no tensors', () => {
    const e = tf.tensor2d(randomRows(7, labels.length, 3));
    const before = tf.memory().numTensors;
    value(multiSimilarityLoss(DEFAULTS)(e, labels));
    const grad = tf.grad((x: tf.Tensor) => multiSimilarityLoss(DEFAULTS)(x, labels))(e);
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    e.dispose();
  });
});
