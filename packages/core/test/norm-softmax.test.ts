import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../src/random.ts';
import { disposeObjective, LOSS_DEFAULTS, LOSSES } from '../src/train/losses/index.ts';
import {
  initialProxies,
  type NormSoftmaxOptions,
  normalisedSoftmaxLoss,
} from '../src/train/losses/norm-softmax.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const unit = (r: number[]) => {
  const norm = Math.hypot(...r);
  return r.map((v) => v / norm);
};
const dot = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k]!, 0);

/**
 * Normalised softmax worked out by hand in float64: cosines of each image to every class proxy, the own class's
 * less the margin, over τ; the mean over images with a proxy of −log softmax of the own class.
 */
function reference(
  rows: number[][],
  labels: number[],
  proxies: number[][],
  { temperature, margin, classes }: NormSoftmaxOptions,
): number {
  const p = proxies.map(unit);
  let total = 0;
  let anchors = 0;
  rows.forEach((row, i) => {
    const own = classes.indexOf(labels[i]!);
    if (own < 0) return;
    const z = unit(row);
    const logits = p.map((q, c) => (dot(z, q) - (c === own ? margin : 0)) / temperature);
    total += Math.log(logits.reduce((s, l) => s + Math.exp(l), 0)) - logits[own]!;
    anchors++;
  });
  return anchors === 0 ? 0 : total / anchors;
}

const value = (loss: tf.Scalar) => {
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
};

const randomRows = (seed: number, m: number, d: number) => {
  const rng = createRng(seed);
  return Array.from({ length: m }, () => Array.from({ length: d }, () => rng.next() + rng.next() - 1));
};

describe('normalisedSoftmaxLoss', () => {
  // Classes 3, 5 and 9 have proxies (rows 0, 1, 2); label 7 has none and is left out.
  const classes = [3, 5, 9];
  const labels = [3, 3, 5, 9, 9, 7, 5];

  it('matches values worked out by hand', () => {
    // Proxies (1, 0) for class 0 and (0, 5) for class 1 (normalised: (0, 1)); images (2, 0) of class 0 and (3, 4)
    // of class 1 (normalised (0.6, 0.8)), and (1, 1) of class 7, which has no proxy and is left out.
    // τ = 1, no margin: image 0 has cosines (1, 0): −log(e¹ / (e¹ + e⁰)) = log(1 + e^{−1});
    //                   image 1 has cosines (0.6, 0.8): −log(e^{0.8} / (e^{0.6} + e^{0.8})) = log(1 + e^{−0.2});
    //   the loss is their mean.
    // τ = 0.5, margin 0.5: image 0's logits ((1 − 0.5) / 0.5, 0 / 0.5) = (1, 0): log(1 + e^{−1});
    //   image 1's (0.6 / 0.5, (0.8 − 0.5) / 0.5) = (1.2, 0.6): −log(e^{0.6} / (e^{1.2} + e^{0.6})) = log(1 + e^{0.6}).
    const e = tf.tensor2d([
      [2, 0],
      [3, 4],
      [1, 1],
    ]);
    const proxies = tf.tensor2d([
      [1, 0],
      [0, 5],
    ]);
    const plain = normalisedSoftmaxLoss({ temperature: 1, margin: 0, classes: [0, 1] });
    expect(value(plain(e, [0, 1, 7], proxies))).toBeCloseTo(
      (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(-0.2))) / 2,
      5,
    );
    const cosFace = normalisedSoftmaxLoss({ temperature: 0.5, margin: 0.5, classes: [0, 1] });
    expect(value(cosFace(e, [0, 1, 7], proxies))).toBeCloseTo(
      (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(0.6))) / 2,
      5,
    );
    // No image with a proxy: nothing to score, 0.
    expect(value(plain(e, [7, 7, 7], proxies))).toBe(0);
    tf.dispose([e, proxies]);
  });

  it('matches a float64 reference on random batches, for several settings', () => {
    for (const seed of [1, 2, 3]) {
      const rows = randomRows(seed, labels.length, 4);
      const proxyRows = randomRows(seed + 10, classes.length, 4);
      const e = tf.tensor2d(rows);
      const p = tf.tensor2d(proxyRows);
      for (const [temperature, margin] of [
        [0.1, 0],
        [0.05, 0.2],
        [1, 0.35],
      ] as const) {
        const options = { temperature, margin, classes };
        const expected = reference(rows, labels, proxyRows, options);
        expect(value(normalisedSoftmaxLoss(options)(e, labels, p))).toBeCloseTo(expected, 4);
      }
      tf.dispose([e, p]);
    }
  });

  it('is smaller when images lie near their own class proxy', () => {
    const proxies = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const near = tf.tensor2d([
      [1, 0.1],
      [0.1, 1],
    ]);
    const far = tf.tensor2d([
      [0.1, 1],
      [1, 0.1],
    ]);
    const loss = normalisedSoftmaxLoss({ temperature: 0.1, margin: 0, classes: [0, 1] });
    expect(value(loss(near, [0, 1], proxies))).toBeLessThan(value(loss(far, [0, 1], proxies)));
    tf.dispose([proxies, near, far]);
  });

  it('has the gradients central differences give, for the embeddings and for the proxies', () => {
    const rows = randomRows(4, labels.length, 3);
    const proxyRows = randomRows(5, classes.length, 3);
    const options = { temperature: 0.2, margin: 0.1, classes };
    const e = tf.tensor2d(rows);
    const p = tf.tensor2d(proxyRows);
    const loss = normalisedSoftmaxLoss(options);
    const [de, dp] = tf.grads((x: tf.Tensor, q: tf.Tensor) => loss(x, labels, q))([e, p]);
    const h = 1e-4;
    const shifted = (m: number[][], i: number, k: number, d: number) =>
      m.map((r, a) => r.map((v, b) => (a === i && b === k ? v + d : v)));
    const analyticE = de!.arraySync() as number[][];
    for (let i = 0; i < rows.length; i++) {
      for (let k = 0; k < 3; k++) {
        const numeric =
          (reference(shifted(rows, i, k, h), labels, proxyRows, options) -
            reference(shifted(rows, i, k, -h), labels, proxyRows, options)) /
          (2 * h);
        expect(analyticE[i]![k]!).toBeCloseTo(numeric, 3);
      }
    }
    // The image of class 7 has no proxy: no gradient reaches it.
    expect(analyticE[5]).toEqual([0, 0, 0]);
    const analyticP = dp!.arraySync() as number[][];
    let nonZero = 0;
    for (let c = 0; c < classes.length; c++) {
      for (let k = 0; k < 3; k++) {
        const numeric =
          (reference(rows, labels, shifted(proxyRows, c, k, h), options) -
            reference(rows, labels, shifted(proxyRows, c, k, -h), options)) /
          (2 * h);
        expect(analyticP[c]![k]!).toBeCloseTo(numeric, 3);
        if (Math.abs(numeric) > 1e-3) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(3);
    tf.dispose([e, p, de!, dp!]);
  });

  it('leaks no tensors', () => {
    const e = tf.tensor2d(randomRows(6, labels.length, 3));
    const p = tf.tensor2d(randomRows(7, classes.length, 3));
    const before = tf.memory().numTensors;
    const loss = normalisedSoftmaxLoss({ temperature: 0.1, margin: 0.1, classes });
    value(loss(e, labels, p));
    tf.dispose(tf.grads((x: tf.Tensor, q: tf.Tensor) => loss(x, labels, q))([e, p]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([e, p]);
  });
});

describe("the 'norm-softmax' loss", () => {
  const spec = LOSSES.get('norm-softmax');
  if (spec.kind !== 'batch') throw new Error('norm-softmax is a batch loss');
  const params = { margin: 1, ...LOSS_DEFAULTS, proxyMargin: 0.1 };

  it('owns one seeded proxy per training class, which its gradient reaches; disposing frees them', () => {
    const before = tf.memory().numTensors;
    const built = spec.create(params, { classes: [3, 5, 9], dim: 4, rng: createRng(11) });
    const again = spec.create(params, { classes: [3, 5, 9], dim: 4, rng: createRng(11) });
    expect(built.variables).toHaveLength(1);
    const proxies = built.variables[0]!;
    expect(proxies.shape).toEqual([3, 4]);
    expect(proxies.trainable).toBe(true);
    expect(Array.from(proxies.dataSync())).toEqual(Array.from(initialProxies(3, 4, createRng(11))));
    expect(Array.from(again.variables[0]!.dataSync())).toEqual(Array.from(proxies.dataSync()));
    // Rows of about unit norm.
    const norms = tf.tidy(() => Array.from(tf.norm(proxies, 'euclidean', 1).dataSync()));
    for (const n of norms) expect(n).toBeGreaterThan(0.3);
    // The loss scores against the variable: its gradient w.r.t. the proxies is that of the pure function.
    const rows = randomRows(12, 4, 4);
    const e = tf.tensor2d(rows);
    const { value: lossValue, grads } = tf.variableGrads(() => built.loss(e, [3, 9, 5, 9]), [proxies]);
    const pure = normalisedSoftmaxLoss({ temperature: 0.1, margin: 0.1, classes: [3, 5, 9] });
    const expected = tf.grad((q: tf.Tensor) => pure(e, [3, 9, 5, 9], q))(proxies);
    expect(Array.from(grads[proxies.name]!.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(Array.from(expected.dataSync()).some((g) => g !== 0)).toBe(true);
    tf.dispose([e, lossValue, expected, ...Object.values(grads)]);
    for (const b of [built, again]) disposeObjective({ kind: 'batch', ...b });
    expect(tf.memory().numTensors).toBe(before);
  });
});
