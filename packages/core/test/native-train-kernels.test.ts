// The native kernels that train the VGG tower: max pooling's gradient and batch normalisation in training (one
// kernel each way, with its ReLU), against tfjs's cpu kernels, a float64 reference with central differences, and
// the tower run through applyTower against tower.apply.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { applyTower } from '../src/model/apply-tower.ts';
import { batchNormTrain, hasBatchNormTrainKernels } from '../src/model/batch-norm-train.ts';
import { buildTower } from '../src/model/towers/index.ts';
import { expectClose, randomArray, size } from './kernel-suite.ts';

type Shape4 = [number, number, number, number];

beforeAll(async () => {
  await initBackend('native', { log: () => {} });
});

async function onBoth<T>(f: () => T): Promise<{ cpu: T; native: T }> {
  await tf.setBackend('cpu');
  const cpu = f();
  await tf.setBackend('wasm');
  return { cpu, native: f() };
}

describe('native MaxPoolGrad', () => {
  it.each([
    { x: [3, 28, 28, 32] as Shape4, pool: 2, stride: 2, pad: 'valid' as const, ties: false },
    // Odd sizes (the last row and column fall outside every window), batch 1, one channel.
    { x: [1, 7, 9, 1] as Shape4, pool: 2, stride: 2, pad: 'valid' as const, ties: false },
    // Overlapping windows with padding: an input collects from several windows.
    { x: [2, 9, 11, 3] as Shape4, pool: 3, stride: 2, pad: 'same' as const, ties: false },
    // Few distinct values: every window has ties, which go to the first largest input.
    { x: [2, 8, 6, 5] as Shape4, pool: 2, stride: 2, pad: 'valid' as const, ties: true },
    { x: [2, 6, 6, 4] as Shape4, pool: 3, stride: 1, pad: 'same' as const, ties: true },
  ])('matches cpu for %o', async ({ x, pool, stride, pad, ties }) => {
    const xVals = randomArray(size(x), 21).map((u) => (ties ? Math.round(2 * u) : u));
    const run = () =>
      tf.tidy(() => {
        const input = tf.tensor4d(xVals, x);
        const outShape = tf.maxPool(input, pool, stride, pad).shape;
        const weight = tf.tensor(randomArray(size(outShape), 22), outShape);
        const grad = tf.grad((t: tf.Tensor) =>
          tf
            .maxPool(t as tf.Tensor4D, pool, stride, pad)
            .mul(weight)
            .sum(),
        );
        return Array.from(grad(input).dataSync());
      });
    const { cpu, native } = await onBoth(run);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc.name).toBe('maxPoolGrad');
    expectClose(native, cpu, 1e-6, 1e-7);
  });
});

/** y = relu?(batch norm of x over its last axis) as tfjs composes it (tfjs-layers' training path). */
function composed(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon: number, relu: boolean) {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, offset, scale, epsilon);
  return { y: relu ? tf.relu(y) : y, mean, variance };
}

interface NormCase {
  shape: number[];
  relu: boolean;
  /** Added to every input: a mean far from zero must not cost the variance its digits. */
  shift: number;
}

const normCases: NormCase[] = [
  { shape: [5, 6, 7, 3], relu: true, shift: 0 },
  { shape: [2, 256], relu: false, shift: 0 },
  { shape: [1, 3, 5, 33], relu: true, shift: 0 },
  { shape: [600, 4], relu: true, shift: 1000 },
  { shape: [7, 1], relu: false, shift: -3 },
];

describe('native batch normalisation in training', () => {
  it('is registered with the native kernels, and not on cpu', async () => {
    await tf.setBackend('cpu');
    expect(hasBatchNormTrainKernels()).toBe(false);
    await tf.setBackend('wasm');
    expect(hasBatchNormTrainKernels()).toBe(true);
  });

  it.each(normCases)(
    'forward and gradients match the composed ops on cpu: %o',
    async ({ shape, relu, shift }) => {
      const channels = shape.at(-1)!;
      const xVals = randomArray(size(shape), 31).map((u) => 3 * u + shift);
      const [scaleVals, offsetVals] = [32, 33].map((seed) => randomArray(channels, seed));
      const weights = randomArray(size(shape), 34);
      const run = (fused: boolean) =>
        tf.tidy(() => {
          const [x, scale, offset] = [
            tf.tensor(xVals, shape),
            tf.tensor1d(scaleVals!),
            tf.tensor1d(offsetVals!),
          ];
          const forward = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
            fused
              ? batchNormTrain(a, s as tf.Tensor1D, o as tf.Tensor1D, { epsilon: 1e-3, relu })
              : composed(a, s as tf.Tensor1D, o as tf.Tensor1D, 1e-3, relu);
          const { y, mean, variance } = forward(x, scale, offset);
          const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
            tf.sum(tf.mul(forward(a, s, o).y, tf.tensor(weights, shape))),
          )([x, scale, offset]);
          return [y, mean, variance, ...grads].map((t) => Array.from(t.dataSync()));
        });
      await tf.setBackend('cpu');
      const expected = run(false);
      await tf.setBackend('wasm');
      const actual = run(true);
      const names = ['y', 'mean', 'variance', 'dx', 'dScale', 'dOffset'];
      actual.forEach((values, i) => {
        const scale = Math.max(1, ...expected[i]!.map(Math.abs));
        expect(names[i]).toBeTruthy();
        expectClose(values, expected[i]!, 2e-4, 2e-5 * scale);
      });
    },
  );

  it('has the gradients of its float64 definition, by central differences', async () => {
    await tf.setBackend('wasm');
    const shape = [3, 2, 2, 3];
    const channels = 3;
    const x = randomArray(size(shape), 41).map((u) => 2 * u);
    const [scale, offset] = [42, 43].map((seed) => randomArray(channels, seed).map((u) => u + 1.5));
    const w = randomArray(size(shape), 44);
    // Σ w · relu(normalised x): the loss in float64.
    const loss = (xs: number[], s: number[], o: number[]) => {
      let total = 0;
      for (let c = 0; c < channels; c++) {
        const column = xs.filter((_, i) => i % channels === c);
        const mean = column.reduce((a, b) => a + b, 0) / column.length;
        const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length;
        column.forEach((v, r) => {
          const y = ((v - mean) * s[c]!) / Math.sqrt(variance + 1e-3) + o[c]!;
          total += w[r * channels + c]! * Math.max(0, y);
        });
      }
      return total;
    };
    const [dx, dScale, dOffset] = tf.tidy(() =>
      tf
        .grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          tf.sum(
            tf.mul(
              batchNormTrain(a, s as tf.Tensor1D, o as tf.Tensor1D, { epsilon: 1e-3, relu: true }).y,
              tf.tensor(w, shape),
            ),
          ),
        )([tf.tensor(x, shape), tf.tensor1d(scale!), tf.tensor1d(offset!)])
        .map((t) => Array.from(t.dataSync())),
    );
    const h = 1e-5;
    const numeric = (values: number[], f: (v: number[]) => number) =>
      values.map((_, i) => {
        const up = [...values];
        const down = [...values];
        up[i]! += h;
        down[i]! -= h;
        return (f(up) - f(down)) / (2 * h);
      });
    expectClose(
      dx!,
      numeric(x, (v) => loss(v, scale!, offset!)),
      1e-3,
      1e-4,
    );
    expectClose(
      dScale!,
      numeric(scale!, (v) => loss(x, v, offset!)),
      1e-3,
      1e-4,
    );
    expectClose(
      dOffset!,
      numeric(offset!, (v) => loss(x, scale!, v)),
      1e-3,
      1e-4,
    );
  });
});

describe('applyTower on the VGG tower', () => {
  // tfjs's per-kernel leak check (IS_TEST) miscounts tensors that gradients save; these tests count themselves.
  beforeAll(() => tf.env().set('IS_TEST', false));
  afterAll(() => tf.env().set('IS_TEST', true));

  const batch = 2;
  const images = randomArray(batch * 28 * 28, 51).map((u) => (u + 1) / 2);

  /** One training forward and backward; the loss, every weight gradient, and the moving statistics after it. */
  const step = (fused: boolean) => {
    const tower = buildTower('vgg', { seed: 5, embeddingDim: 16 });
    const x = tf.tensor4d(images, [batch, 28, 28, 1]);
    const forward = () =>
      (fused ? applyTower(tower, x, true) : (tower.apply(x, { training: true }) as tf.Tensor))
        .square()
        .mean() as tf.Scalar;
    const { value, grads } = tf.variableGrads(
      forward,
      tower.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const moving = tower.weights.filter((w) => !w.trainable).map((w) => Array.from(w.read().dataSync()));
    const out = {
      loss: value.dataSync()[0]!,
      grads: Object.values(grads).map((g) => Array.from(g.dataSync())),
      moving,
    };
    tf.dispose([x, value, ...Object.values(grads)]);
    tower.dispose();
    return out;
  };

  // The reference is plain wasm: tfjs's composed batch norm and its own convolutions (the cpu backend, as
  // independent, takes minutes on this tower).
  it('gives the loss, every weight gradient and the moving statistics of tower.apply on plain wasm', async () => {
    await initBackend('wasm', { log: () => {} });
    expect(hasBatchNormTrainKernels()).toBe(false);
    const expected = step(false);
    await initBackend('native', { log: () => {} });
    const actual = step(true);
    expect(actual.loss).toBeCloseTo(expected.loss, 4);
    expect(actual.grads.length).toBe(expected.grads.length);
    actual.grads.forEach((g, i) => {
      const scale = expected.grads[i]!.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
      expect(scale).toBeGreaterThan(0);
      expectClose(g, expected.grads[i]!, 2e-3, 2e-4 * Math.max(1, scale));
    });
    // Twelve moving statistics (six layers' mean and variance), each moved off its start by the step.
    expect(actual.moving.length).toBe(12);
    actual.moving.forEach((m, i) => {
      expectClose(m, expected.moving[i]!, 1e-4, 1e-5);
      expect(m.some((v) => v !== 0 && v !== 1)).toBe(true);
    });
  });

  it('is tower.apply itself where the backend has no fused kernels, and in inference', async () => {
    // A small tower of the same layers, so the cpu backend is quick.
    await tf.setBackend('cpu');
    const small = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, useBias: false }),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.flatten(),
      ],
    });
    // Training outputs depend on the weights and the batch, not on the moving statistics the first call moves.
    const [fusedOnCpu, plainOnCpu] = tf.tidy(() => {
      const input = tf.tensor4d(randomArray(3 * 6 * 6 * 2, 52), [3, 6, 6, 2]);
      return [applyTower(small, input, true), small.apply(input, { training: true }) as tf.Tensor].map((t) =>
        Array.from(t.dataSync()),
      );
    });
    expect(fusedOnCpu).toEqual(plainOnCpu);
    small.dispose();
    await tf.setBackend('wasm');
    const tower = buildTower('vgg', { seed: 5, embeddingDim: 16 });
    const [fused, plain] = tf.tidy(() => {
      const input = tf.tensor4d(images, [batch, 28, 28, 1]);
      return [applyTower(tower, input, false), tower.apply(input) as tf.Tensor].map((t) =>
        Array.from(t.dataSync()),
      );
    });
    expect(fused).toEqual(plain);
    tower.dispose();
  });

  it('leaks no tensors or backend data over training steps', async () => {
    await tf.setBackend('wasm');
    const tower = buildTower('vgg', { seed: 6, embeddingDim: 8 });
    const optimizer = tf.train.adam(0.001);
    const x = tf.tensor4d(images, [batch, 28, 28, 1]);
    const train = () =>
      optimizer.minimize(() => applyTower(tower, x, true).square().mean() as tf.Scalar, true)!.dispose();
    train();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) train();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose(x);
    optimizer.dispose();
    tower.dispose();
  });
});
