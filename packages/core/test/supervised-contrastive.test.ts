import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { supervisedContrastiveLoss, withInstances } from '../src/train/losses/supervised-contrastive.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** SupCon worked out by hand in float64: normalise, cosine over τ, mean −log softmax over each anchor's positives. */
function reference(rows: number[][], labels: number[], temperature: number): number {
  const z = rows.map((r) => {
    const norm = Math.hypot(...r);
    return r.map((v) => v / norm);
  });
  const sim = (i: number, j: number) => z[i]!.reduce((s, v, k) => s + v * z[j]![k]!, 0) / temperature;
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < rows.length; i++) {
    const others = rows.map((_, j) => j).filter((j) => j !== i);
    const logDenominator = Math.log(others.reduce((s, j) => s + Math.exp(sim(i, j)), 0));
    const positives = others.filter((j) => labels[j] === labels[i]);
    if (positives.length === 0) continue;
    total += -positives.reduce((s, j) => s + sim(i, j) - logDenominator, 0) / positives.length;
    anchors++;
  }
  return total / anchors;
}

const value = (loss: tf.Scalar) => {
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
};

describe('supervisedContrastiveLoss', () => {
  const rows = [
    [1, 0],
    [0.8, 0.6],
    [0, 1],
    [-0.6, 0.8],
    [3, 4],
  ];
  const labels = [0, 0, 1, 1, 2];

  it('matches values worked out by hand', () => {
    // Two equal images of class 0 and one orthogonal image of class 1, τ = 1: each class-0 anchor has similarity
    // 1 to its partner and 0 to the other, so its term is −(1 − log(e¹ + e⁰)) = log(1 + e) − 1; class 1 has no
    // partner and is no anchor.
    const small = tf.tensor2d([
      [1, 0],
      [2, 0],
      [0, 3],
    ]);
    expect(value(supervisedContrastiveLoss(1)(small, [0, 0, 1]))).toBeCloseTo(Math.log(1 + Math.E) - 1, 5);
    small.dispose();
    // Against the float64 reference on a batch with every case.
    const e = tf.tensor2d(rows);
    for (const temperature of [0.1, 0.5, 1]) {
      const expected = reference(rows, labels, temperature);
      expect(value(supervisedContrastiveLoss(temperature)(e, labels))).toBeCloseTo(expected, 4);
    }
    // The lone class-2 image is no anchor, but widens the others' softmax: the loss rises with it in the batch.
    const four = tf.tensor2d(rows.slice(0, 4));
    expect(value(supervisedContrastiveLoss(1)(e, labels))).toBeGreaterThan(
      value(supervisedContrastiveLoss(1)(four, labels.slice(0, 4))),
    );
    four.dispose();
    e.dispose();
  });

  it('is smaller when classes are pulled together and pushed apart', () => {
    const tight = tf.tensor2d([
      [1, 0],
      [1, 0.01],
      [0, 1],
      [0.01, 1],
    ]);
    const loose = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 0.01],
      [0.01, 1],
    ]);
    const loss = supervisedContrastiveLoss(0.1);
    expect(value(loss(tight, [0, 0, 1, 1]))).toBeLessThan(value(loss(loose, [0, 0, 1, 1])));
    tf.dispose([tight, loose]);
  });

  it('has the gradient central differences give', () => {
    const x = tf.tensor2d(rows);
    const loss = supervisedContrastiveLoss(0.5);
    const grad = tf.grad((e: tf.Tensor) => loss(e, labels))(x);
    const analytic = grad.arraySync() as number[][];
    const h = 1e-3;
    for (let i = 0; i < rows.length; i++) {
      for (let k = 0; k < 2; k++) {
        const shifted = (d: number) => rows.map((r, a) => r.map((v, b) => (a === i && b === k ? v + d : v)));
        const numeric = (reference(shifted(h), labels, 0.5) - reference(shifted(-h), labels, 0.5)) / (2 * h);
        expect(analytic[i]![k]!).toBeCloseTo(numeric, 3);
      }
    }
    tf.dispose([x, grad]);
  });

  it('leaks no tensors', () => {
    const e = tf.tensor2d(rows);
    const before = tf.memory().numTensors;
    value(supervisedContrastiveLoss(0.1)(e, labels));
    expect(tf.memory().numTensors).toBe(before);
    e.dispose();
  });
});

describe('instance discrimination with views', () => {
  it('mixes the class loss and the same loss over instances, (1 − w) and w; without instances, classes alone', () => {
    const loss = supervisedContrastiveLoss(0.2);
    const e = tf.tensor2d(
      Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.9)),
      [6, 4],
    );
    // Two views of three images of classes 0, 0, 1: rows v·3 + i.
    const labels = [0, 0, 1, 0, 0, 1];
    const instances = [0, 1, 2, 0, 1, 2];
    const value = (t: tf.Scalar) => {
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    };
    const byClass = value(loss(e, labels));
    const byInstance = value(loss(e, instances));
    expect(byInstance).not.toBeCloseTo(byClass, 3);
    const mixed = withInstances(loss, 0.25);
    expect(value(mixed(e, labels, instances))).toBeCloseTo(0.75 * byClass + 0.25 * byInstance, 5);
    expect(value(mixed(e, labels))).toBeCloseTo(byClass, 6);
    expect(withInstances(loss, 0)).toBe(loss);
    e.dispose();
  });
});
