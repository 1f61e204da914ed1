// The native kernels (@twinnet/native) on the wasm backend: the shared kernel suite, then what only they
// replace (forward and fused convolutions, tanh, the average-pool gradient, pooling and batch norm), both
// towers' gradients, and the way back to plain wasm.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { buildTower } from '../src/model/towers/index.ts';
import { ADAM_KERNEL, KernelAdam } from '../src/train/optimizers/adam-kernel.ts';
import { createOptimizer } from '../src/train/optimizers/index.ts';
import { expectClose, kernelSuite, randomArray, size, winogradCases } from './kernel-suite.ts';

kernelSuite('native');

type Shape4 = [number, number, number, number];

async function onBoth<T>(f: () => T): Promise<{ cpu: T; native: T }> {
  await tf.setBackend('cpu');
  const cpu = f();
  await tf.setBackend('wasm');
  return { cpu, native: f() };
}

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  stride: number | [number, number];
  pad: 'valid' | 'same' | number;
  dilation?: number;
}

const convCases: ConvCase[] = [
  // The small tower's convolutions, then the deep tower's, at a small batch.
  { x: [3, 28, 28, 1], filter: [5, 5, 1, 4], stride: 1, pad: 'valid' },
  { x: [3, 12, 12, 4], filter: [5, 5, 4, 16], stride: 1, pad: 'valid' },
  { x: [2, 28, 28, 1], filter: [3, 3, 1, 32], stride: 2, pad: 'same' },
  { x: [2, 7, 7, 64], filter: [3, 3, 64, 128], stride: 2, pad: 'same' },
  { x: [2, 4, 4, 128], filter: [3, 3, 128, 512], stride: 2, pad: 'same' },
  // Uneven strides, explicit pads, dilation, a pointwise conv, odd sizes.
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], stride: [2, 1], pad: 'same' },
  { x: [2, 9, 11, 3], filter: [4, 4, 3, 5], stride: 2, pad: 2 },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same', dilation: 2 },
  { x: [3, 5, 6, 7], filter: [1, 1, 7, 9], stride: 1, pad: 'valid' },
  // The direct route (stride 1, few channels) with explicit pads, narrower and wider than the kernel.
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], stride: 1, pad: 2 },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], stride: 1, pad: 4 },
  { x: [2, 10, 7, 16], filter: [4, 2, 16, 16], stride: 1, pad: 'same' },
  // By output position (32 channels and more), with a position whose taps all fall in the padding; one input
  // channel with 3×3 taps and 16 or 32 outputs.
  { x: [2, 5, 6, 64], filter: [3, 3, 64, 16], stride: [2, 1], pad: 'same' },
  { x: [2, 3, 3, 64], filter: [3, 3, 64, 8], stride: 2, pad: 3 },
  { x: [3, 10, 9, 1], filter: [3, 3, 1, 16], stride: 2, pad: 'valid' },
  { x: [2, 9, 8, 1], filter: [3, 3, 1, 32], stride: 1, pad: 'same' },
  // Winograd (3×3, stride 1, 16 channels and more); explicit pads as a number only, as tf.conv2d takes them.
  ...winogradCases
    .filter((c) => !Array.isArray(c.pad))
    .map((c) => ({
      x: [c.n, c.h, c.w, c.cin] as Shape4,
      filter: [3, 3, c.cin, c.cout] as Shape4,
      stride: 1,
      pad: c.pad as 'valid' | 'same' | number,
    })),
];

describe('native forward convolutions', () => {
  it('registers on the wasm backend and says what they are', async () => {
    const info = await initBackend('native', { log: () => {} });
    expect(info.name).toBe('wasm');
    expect(info.native).toMatch(/sgemm/);
    expect(tf.getKernel('Conv2D', 'wasm')?.kernelFunc.name).toBe('plain');
  });

  it.each(convCases.map((c) => [JSON.stringify(c), c] as const))(
    'Conv2D matches cpu for %s',
    async (_, c) => {
      const xVals = randomArray(size(c.x), 1);
      const wVals = randomArray(size(c.filter), 2);
      const run = () =>
        tf.tidy(() =>
          Array.from(
            tf
              .conv2d(
                tf.tensor4d(xVals, c.x),
                tf.tensor4d(wVals, c.filter),
                c.stride,
                c.pad,
                'NHWC',
                c.dilation ?? 1,
              )
              .dataSync(),
          ),
        );
      const { cpu, native } = await onBoth(run);
      expectClose(native, cpu);
    },
  );

  // The deep tower's first layer (one input channel, bias and relu fused into the store) and its third (by
  // output position, bias and relu after the GEMMs). sigmoid is not fused natively: it goes to the stock wasm
  // kernel, with the same result.
  const winogradIndex = convCases.findIndex((c) => c.filter[2] === 16 && c.stride === 1);
  const fusedCases = (['linear', 'relu', 'sigmoid'] as const).flatMap((activation) =>
    [2, 3, winogradIndex].map((index) => [activation, index] as const),
  );
  it.each(fusedCases)('FusedConv2D with bias and %s matches cpu (case %i)', async (activation, index) => {
    const c = convCases[index]!;
    const xVals = randomArray(size(c.x), 3);
    const wVals = randomArray(size(c.filter), 4);
    const bVals = randomArray(c.filter[3], 5);
    const run = () =>
      tf.tidy(() => {
        const y = tf.fused.conv2d({
          x: tf.tensor4d(xVals, c.x),
          filter: tf.tensor4d(wVals, c.filter),
          strides: c.stride,
          pad: c.pad,
          bias: tf.tensor1d(bVals),
          activation,
        });
        return Array.from(y.dataSync());
      });
    const { cpu, native } = await onBoth(run);
    expectClose(native, cpu);
  });
});

describe('native tanh and average-pool gradient', () => {
  it('tanh matches cpu, keeps NaN and saturates at ±1', async () => {
    const values = [
      ...randomArray(1000, 6).map((u) => u * 12),
      0,
      -0,
      1e-8,
      20,
      -20,
      Infinity,
      -Infinity,
      NaN,
    ];
    const { cpu, native } = await onBoth(() =>
      tf.tidy(() => Array.from(tf.tanh(tf.tensor1d(values)).dataSync())),
    );
    expect(Number.isNaN(native.at(-1))).toBe(true);
    expect(native.slice(-3, -1)).toEqual([1, -1]);
    expectClose(native.slice(0, -1), cpu.slice(0, -1), 1e-6, 1e-7);
  });

  it.each([
    { x: [3, 24, 24, 4] as Shape4, pool: 2, stride: 2, pad: 'valid' as const },
    { x: [2, 9, 11, 3] as Shape4, pool: 3, stride: 2, pad: 'same' as const },
  ])('AvgPoolGrad matches cpu for %o', async ({ x, pool, stride, pad }) => {
    const xVals = randomArray(size(x), 7);
    const run = () =>
      tf.tidy(() => {
        const input = tf.tensor4d(xVals, x);
        const outShape = tf.avgPool(input, pool, stride, pad).shape;
        const weight = tf.tensor(randomArray(size(outShape), 8), outShape);
        const grad = tf.grad((t: tf.Tensor) =>
          tf
            .avgPool(t as tf.Tensor4D, pool, stride, pad)
            .mul(weight)
            .sum(),
        );
        return Array.from(grad(input).dataSync());
      });
    const { cpu, native } = await onBoth(run);
    expectClose(native, cpu);
  });
});

/** f on plain wasm (the stock kernels), then with the native kernels on top. */
async function onWasmAndNative<T>(f: () => T): Promise<{ wasm: T; native: T }> {
  await initBackend('wasm', { log: () => {} });
  const wasm = f();
  await initBackend('native', { log: () => {} });
  return { wasm, native: f() };
}

/** Bit-for-bit equality of float32 values, −0 told from +0. */
function expectSameBits(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const differ = actual.findIndex((a, i) => !Object.is(a, expected[i]));
  if (differ >= 0) expect.fail(`element ${differ}: got ${actual[differ]}, expected ${expected[differ]}`);
}

// These two replace XNNPACK's and wasm's own kernels on the small tower's path; they reproduce their results
// bit for bit, so a model trains to the same weights with or without the native kernels.
describe('native pooling and batch norm, bit for bit the stock wasm kernels', () => {
  it.each([
    { x: [3, 24, 24, 4] as Shape4, pool: 2, stride: 2, pad: 'valid' as const },
    { x: [2, 9, 7, 16] as Shape4, pool: 2, stride: 2, pad: 'valid' as const },
    // Not 2×2 with stride 2 and no padding: the stock kernel.
    { x: [2, 9, 11, 3] as Shape4, pool: 3, stride: 2, pad: 'same' as const },
  ])('AvgPool for %o', async ({ x, pool, stride, pad }) => {
    // Zeros and negative zeros too: XNNPACK's sums turn a window of −0 into +0.
    const values = randomArray(size(x), 11).map((u, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : 3 * u));
    const { wasm, native } = await onWasmAndNative(() =>
      tf.tidy(() => Array.from(tf.avgPool(tf.tensor4d(values, x), pool, stride, pad).dataSync())),
    );
    expectSameBits(native, wasm);
  });

  it.each([
    { x: [5, 6, 7, 3], perChannel: true },
    { x: [40, 28, 28, 1], perChannel: true },
    { x: [2, 256], perChannel: true },
    // Parameters broadcast from one value over three channels: the stock kernel.
    { x: [4, 5, 3], perChannel: false },
  ])('FusedBatchNorm for %o', async ({ x, perChannel }) => {
    const channels = perChannel ? x.at(-1)! : 1;
    const xVals = randomArray(size(x), 12).map((u) => 4 * u);
    const param = (seed: number, positive = false) =>
      randomArray(channels, seed).map((u) => (positive ? Math.abs(u) + 0.01 : u));
    const [mean, variance, offset, scale] = [param(13), param(14, true), param(15), param(16)];
    const { wasm, native } = await onWasmAndNative(() =>
      tf.tidy(() =>
        Array.from(
          tf
            .batchNorm(
              tf.tensor(xVals, x),
              tf.tensor1d(mean),
              tf.tensor1d(variance),
              tf.tensor1d(offset),
              tf.tensor1d(scale),
              0.001,
            )
            .dataSync(),
        ),
      ),
    );
    expectSameBits(native, wasm);
  });
});

describe('both towers on the native kernels', () => {
  // tfjs's per-kernel leak check (IS_TEST) miscounts the tensors that custom-gradient ops (fused conv, fused
  // matmul) save for their backward pass; these tests count tensors and backend data themselves.
  beforeAll(() => tf.env().set('IS_TEST', false));
  afterAll(() => tf.env().set('IS_TEST', true));

  it.each(['small', 'deep'] as const)('%s tower: loss and every weight gradient match cpu', async (kind) => {
    const batch = 4;
    const images = randomArray(batch * 28 * 28, 9).map((u) => (u + 1) / 2);
    const run = () => {
      const tower = buildTower(kind, { seed: 3 });
      const x = tf.tensor4d(images, [batch, 28, 28, 1]);
      const { value, grads } = tf.variableGrads(
        () => (tower.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar,
        tower.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      const out = {
        loss: value.dataSync()[0]!,
        grads: Object.values(grads).map((g) => Array.from(g.dataSync())),
      };
      tf.dispose([x, value, ...Object.values(grads)]);
      tower.dispose();
      return out;
    };
    const { cpu, native } = await onBoth(run);
    expect(native.loss).toBeCloseTo(cpu.loss, 5);
    expect(native.grads.length).toBe(cpu.grads.length);
    native.grads.forEach((g, i) => {
      const scale = cpu.grads[i]!.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
      expect(scale).toBeGreaterThan(0);
      expectClose(g, cpu.grads[i]!, 1e-3, 1e-5 * Math.max(1, scale));
    });
  });

  it('leaks no tensors or backend data over training steps', async () => {
    await tf.setBackend('wasm');
    const tower = buildTower('small', { seed: 4 });
    const optimizer = tf.train.adam(0.001);
    const x = tf.tensor4d(randomArray(8 * 28 * 28, 10), [8, 28, 28, 1]);
    const step = () =>
      optimizer
        .minimize(() => (tower.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, true)!
        .dispose();
    step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x]);
    optimizer.dispose();
    tower.dispose();
  });
});

describe('back to plain wasm', () => {
  it("initBackend('wasm') puts the replaced kernels back, and 'native' brings its own again", async () => {
    await initBackend('wasm', { log: () => {} });
    expect(tf.getKernel('Conv2D', 'wasm')?.kernelFunc.name).not.toBe('plain');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('conv2DBackpropInputWasm');
    const c = convCases[1]!;
    const xVals = randomArray(size(c.x), 11);
    const wVals = randomArray(size(c.filter), 12);
    const run = () =>
      tf.tidy(() =>
        Array.from(tf.conv2d(tf.tensor4d(xVals, c.x), tf.tensor4d(wVals, c.filter), 1, 'valid').dataSync()),
      );
    const wasm = run();
    await initBackend('native', { log: () => {} });
    expect(tf.getKernel('Conv2D', 'wasm')?.kernelFunc.name).toBe('plain');
    expectClose(run(), wasm);
  });
});

describe('KernelAdam', () => {
  beforeAll(() => tf.env().set('IS_TEST', false));
  afterAll(() => tf.env().set('IS_TEST', true));

  /** Trains a small tower a few steps with `optimizer` from fixed weights; returns its weights and moments. */
  async function train(optimizer: tf.Optimizer) {
    const tower = buildTower('small', { seed: 5 });
    const x = tf.tensor4d(randomArray(6 * 28 * 28, 13), [6, 28, 28, 1]);
    for (let i = 0; i < 4; i++) {
      optimizer
        .minimize(() => (tower.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, true)!
        .dispose();
    }
    const weights = tower.getWeights().map((w) => Array.from(w.dataSync()));
    const state = await optimizer.getWeights();
    const moments = state.map(({ name, tensor }) => ({ name, values: Array.from(tensor.dataSync()) }));
    state[0]!.tensor.dispose(); // the iteration count, made for getWeights; the moments are the optimizer's
    x.dispose();
    tower.dispose();
    return { weights, moments };
  }

  it('takes the same steps as tf.train.adam with the native kernel, to the last bit', async () => {
    await tf.setBackend('wasm');
    expect(tf.getKernel(ADAM_KERNEL, 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const stock = tf.train.adam(0.01);
    const ours = createOptimizer('adam', 0.01);
    expect(ours).toBeInstanceOf(KernelAdam);
    const expected = await train(stock);
    const actual = await train(ours);
    expect(actual.weights).toEqual(expected.weights);
    // Same moment names and values: checkpoints of either optimizer load into the other.
    expect(actual.moments.map((m) => m.name).length).toBe(expected.moments.length);
    expect(actual.moments.map((m) => m.values)).toEqual(expected.moments.map((m) => m.values));
    stock.dispose();
    ours.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is the stock optimizer where the backend has no kernel for it (cpu)', async () => {
    await tf.setBackend('cpu');
    expect(tf.getKernel(ADAM_KERNEL, 'cpu')).toBeUndefined();
    const expected = await train(tf.train.adam(0.01));
    const actual = await train(createOptimizer('adam', 0.01));
    expect(actual.weights).toEqual(expected.weights);
  });
});

describe('native Sum, Mean and Tile', () => {
  const x: Shape4 = [3, 5, 4, 6];
  const values = randomArray(size(x), 14);
  it.each([
    { axis: [0, 1, 2], keepDims: false },
    { axis: [1, 2], keepDims: true },
    { axis: -1, keepDims: false },
    { axis: 0, keepDims: true },
    { axis: [0, 1, 2, 3], keepDims: false },
    // Not one run of axes: the wasm kernels do it.
    { axis: [0, 2], keepDims: false },
  ])('Sum and Mean match cpu over %o', async ({ axis, keepDims }) => {
    for (const op of [tf.sum, tf.mean]) {
      const run = () =>
        tf.tidy(() => {
          const out = op(tf.tensor4d(values, x), axis, keepDims);
          return { shape: out.shape, values: Array.from(out.dataSync()) };
        });
      const { cpu, native } = await onBoth(run);
      expect(native.shape).toEqual(cpu.shape);
      expectClose(native.values, cpu.values, 1e-5, 1e-6);
    }
  });

  it.each([
    { shape: [5], reps: [3] },
    { shape: [2, 3], reps: [1, 4] },
    { shape: [1, 1, 1, 6], reps: [3, 5, 4, 1] },
    { shape: [2, 1, 3, 2], reps: [2, 3, 1, 2] },
  ])('Tile matches cpu for %o', async ({ shape, reps }) => {
    const input = randomArray(size(shape), 15);
    const run = () => tf.tidy(() => Array.from(tf.tile(tf.tensor(input, shape), reps).dataSync()));
    const { cpu, native } = await onBoth(run);
    expect(native).toEqual(cpu);
  });
});

describe('initialising again', () => {
  it("native → cpu → native keeps wasm's own kernels as the fallbacks (NCHW still works)", async () => {
    await initBackend('native', { log: () => {} });
    await initBackend('cpu', { log: () => {} });
    await initBackend('native', { log: () => {} });
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('backpropInput');
    // NCHW: native → our wasm kernel → the stock one; a native kernel captured as "stock" would recurse.
    const dyShape: Shape4 = [2, 4, 5, 6];
    const wShape: Shape4 = [3, 3, 3, 4];
    const dyVals = randomArray(size(dyShape), 16);
    const wVals = randomArray(size(wShape), 17);
    const run = () =>
      tf.tidy(() => {
        const dx = tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor4d(dyVals, dyShape), filter: tf.tensor4d(wVals, wShape) },
            { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 5, 6] } as never,
          ) as tf.Tensor;
        return Array.from(dx.dataSync());
      });
    const { cpu, native } = await onBoth(run);
    expectClose(native, cpu);
  });
});
