import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits, contrastiveLoss } from '../src/train/losses/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('contrastiveLoss (1 = same)', () => {
  it('matches values worked out by hand', () => {
    const same = tf.tensor2d([[1], [1], [0], [0]]);
    const d = tf.tensor2d([[0.5], [0], [0.25], [2]]);
    // same: 0.5² = 0.25 and 0; different: (1 − 0.25)² = 0.5625 and max(1 − 2, 0)² = 0. Mean = 0.8125 / 4.
    expect(value(contrastiveLoss(1)(same, d))).toBeCloseTo(0.203125, 6);
    // With margin 2 the far negative now costs (2 − 2)² = 0, the near one (2 − 0.25)² = 3.0625.
    expect(value(contrastiveLoss(2)(same, d))).toBeCloseTo((0.25 + 3.0625) / 4, 6);
    tf.dispose([same, d]);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('matches −y·log σ(z) − (1 − y)·log(1 − σ(z))', () => {
    const same = tf.tensor2d([[1], [0], [1], [0]]);
    const z = tf.tensor2d([[2], [-1], [0], [3]]);
    const sigma = (x: number) => 1 / (1 + Math.exp(-x));
    const expected =
      (-Math.log(sigma(2)) - Math.log(1 - sigma(-1)) - Math.log(0.5) - Math.log(1 - sigma(3))) / 4;
    expect(value(binaryCrossEntropyWithLogits()(same, z))).toBeCloseTo(expected, 6);
    tf.dispose([same, z]);
  });

  it('stays finite for large logits', () => {
    const same = tf.tensor2d([[1], [0]]);
    const z = tf.tensor2d([[-200], [200]]);
    expect(value(binaryCrossEntropyWithLogits()(same, z))).toBeCloseTo(200, 4);
    tf.dispose([same, z]);
  });
});

describe('cosineRate', () => {
  it('starts at the base rate, decays monotonically, and ends at the floor', async () => {
    const { cosineRate } = await import('../src/train/schedule.ts');
    const rates = [1, 2, 3, 4, 5].map((epoch) => cosineRate(0.01, epoch, 5));
    expect(rates[0]).toBeCloseTo(0.01);
    expect(rates[4]).toBeCloseTo(0.0005);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
    expect(cosineRate(0.01, 1, 1)).toBe(0.01);
  });
});
