// Our wasm kernels (Conv2DBackpropFilter, Conv2DBackpropInput, BatchMatMul, Identity, Cast) vs the reference cpu
// kernels, one by one and inside whole-model gradients; run once on plain wasm and once with the native kernels
// on top (backend-kernel.test.ts, native-kernel.test.ts).
// Data crosses backends as plain arrays so neither backend sees the other's tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../src/backend/info.ts';
import { initBackend } from '../src/backend/node.ts';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

/** Deterministic uniform(-1, 1) values (mulberry32), independent of any backend RNG. */
export function randomArray(size: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: size }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-4,
  atol = 1e-4,
): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      worstAt = i;
    }
  }
  if (worstAt >= 0) {
    expect.fail(
      `element ${worstAt}: got ${actual[worstAt]}, expected ${expected[worstAt]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number | [number, number];
  pad: Pad;
}

function outShape(c: Case): Shape4 {
  const filter: Shape4 = [c.k, c.k, c.cin, c.cout];
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], filter, c.stride, 1, c.pad);
  return [c.n, info.outHeight, info.outWidth, c.cout];
}

/** Runs the Conv2DBackpropFilter kernel on the active backend and returns dW as a plain array. */
function backpropFilter(c: Case, xVals: number[], dyVals: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xVals, [c.n, c.h, c.w, c.cin]);
    const dy = tf.tensor4d(dyVals, outShape(c));
    const attrs = {
      strides: c.stride,
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: [c.k, c.k, c.cin, c.cout],
    };
    const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
    expect(dW.shape).toEqual([c.k, c.k, c.cin, c.cout]);
    return dW.dataSync() as Float32Array;
  });
}

/**
 * 3×3 stride-1 convolutions with 16 channels and more, the native kernels' Winograd route: odd sizes (tiles cut
 * by the edge), batch 1, a 1×1 image, channels either side of 16 and not a multiple of 8, and every padding it
 * takes (none, 'same', up to 2, uneven).
 */
export const winogradCases: Case[] = [
  { n: 2, h: 9, w: 11, cin: 16, cout: 24, k: 3, stride: 1, pad: 'same' },
  { n: 1, h: 7, w: 7, cin: 17, cout: 16, k: 3, stride: 1, pad: 'valid' },
  { n: 3, h: 5, w: 6, cin: 15, cout: 33, k: 3, stride: 1, pad: 'same' },
  { n: 1, h: 1, w: 1, cin: 16, cout: 16, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 6, w: 5, cin: 20, cout: 18, k: 3, stride: 1, pad: 2 },
  {
    n: 2,
    h: 8,
    w: 7,
    cin: 16,
    cout: 20,
    k: 3,
    stride: 1,
    pad: [
      [0, 0],
      [0, 2],
      [1, 0],
      [0, 0],
    ],
  },
];

async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

/** The whole suite on `backend` ('wasm' alone, or 'native', whose kernels sit on the wasm backend). */
export function kernelSuite(backend: Extract<BackendName, 'wasm' | 'native'>): void {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
    // Makes the engine throw if a kernel leaves backend data behind (tfjs's own leak check).
    tf.env().set('IS_TEST', true);
  });

  afterAll(() => {
    tf.env().set('IS_TEST', false);
  });

  const grid: Case[] = [];
  for (const [h, w] of [
    [9, 11],
    [28, 28],
  ] as const) {
    for (const stride of [1, 2]) {
      for (const pad of ['valid', 'same'] as const) {
        for (const k of [3, 5]) {
          for (const cin of [1, 3]) grid.push({ n: 3, h, w, cin, cout: 4, k, stride, pad });
          // From 32 output channels on the kernel takes its matmul route (the cpu reference is slow there).
          if (h === 9) grid.push({ n: 3, h, w, cin: 3, cout: 32, k, stride, pad });
        }
      }
    }
  }
  // Less common padding/stride forms the forward op also accepts.
  grid.push(
    { n: 3, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: [2, 1], pad: 'same' },
    { n: 3, h: 10, w: 12, cin: 2, cout: 4, k: 4, stride: 2, pad: 'same' },
    { n: 2, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: 2, pad: 1 },
    {
      n: 2,
      h: 9,
      w: 11,
      cin: 3,
      cout: 4,
      k: 3,
      stride: 2,
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
    { n: 1, h: 28, w: 28, cin: 1, cout: 1, k: 5, stride: 1, pad: 'valid' },
    // The matmul route with uneven strides, even kernels, explicit and over-wide pads, several chunks.
    { n: 3, h: 9, w: 11, cin: 2, cout: 32, k: 3, stride: [2, 1], pad: 'same' },
    { n: 3, h: 10, w: 12, cin: 2, cout: 33, k: 4, stride: 2, pad: 'same' },
    { n: 2, h: 9, w: 11, cin: 3, cout: 32, k: 3, stride: 2, pad: 4 },
    {
      n: 2,
      h: 9,
      w: 11,
      cin: 3,
      cout: 40,
      k: 3,
      stride: 2,
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
    { n: 7, h: 28, w: 28, cin: 2, cout: 32, k: 3, stride: 1, pad: 'same' },
    { n: 3, h: 28, w: 28, cin: 3, cout: 32, k: 5, stride: 2, pad: 'valid' },
    // The deep tower's first layers, batch cut down (all four are in the model gradient test below; the
    // cpu reference kernel takes seconds on the wide ones).
    { n: 2, h: 28, w: 28, cin: 1, cout: 32, k: 3, stride: 1, pad: 'same' },
    { n: 1, h: 28, w: 28, cin: 32, cout: 64, k: 3, stride: 2, pad: 'same' },
    // The native routes by output position (32 channels and more: a GEMM per filter row over the batch, taps in
    // the padding left out), with a position whose taps all fall in the padding, and with one input channel
    // and 3×3 taps.
    { n: 3, h: 4, w: 4, cin: 64, cout: 24, k: 3, stride: 2, pad: 'same' },
    { n: 2, h: 3, w: 5, cin: 64, cout: 8, k: 3, stride: [2, 1], pad: 3 },
    { n: 3, h: 10, w: 9, cin: 1, cout: 16, k: 3, stride: 2, pad: 'valid' },
    { n: 2, h: 9, w: 8, cin: 1, cout: 32, k: 3, stride: 1, pad: 'same' },
    ...winogradCases,
  );

  describe(`Conv2DBackpropFilter on ${backend}`, () => {
    it.each(grid.map((c) => [JSON.stringify(c), c] as const))('matches cpu for %s', async (_, c) => {
      const xVals = randomArray(c.n * c.h * c.w * c.cin, 1);
      const dyVals = randomArray(size(outShape(c)), 2);
      const expected = await onBackend('cpu', () => backpropFilter(c, xVals, dyVals));
      const actual = await onBackend('wasm', () => backpropFilter(c, xVals, dyVals));
      expectClose(actual, expected);
    });

    it('rejects NCHW', async () => {
      await tf.setBackend('wasm');
      const x = tf.zeros([1, 1, 5, 5]);
      const dy = tf.zeros([1, 1, 3, 3]);
      const attrs = { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] };
      expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never)).toThrow(/NCHW/);
      tf.dispose([x, dy]);
    });

    it('frees its intermediates, not its inputs (tf.grad of a conv)', async () => {
      await tf.setBackend('wasm');
      // Both routes: conv (4 output channels) and matmul (32, in two chunks of images at stride 1).
      for (const [filterShape, stride] of [
        [[5, 5, 1, 4], 2],
        [[3, 3, 1, 32], 1],
      ] as const) {
        const x = tf.tensor4d(randomArray(3 * 28 * 28, 3), [3, 28, 28, 1]);
        const f = tf.tensor4d(randomArray(size(filterShape), 4), [...filterShape]);
        const xBefore = Array.from(x.dataSync());
        const fBefore = Array.from(f.dataSync());
        const tensors = tf.memory().numTensors;
        const dataIds = tf.engine().backend.numDataIds();

        const loss = (filter: tf.Tensor) =>
          tf
            .conv2d(x, filter as tf.Tensor4D, stride, 'same')
            .square()
            .sum();
        for (let i = 0; i < 3; i++) tf.grad(loss)(f).dispose();

        expect(tf.memory().numTensors).toBe(tensors);
        expect(tf.engine().backend.numDataIds()).toBe(dataIds);
        expect(Array.from(x.dataSync())).toEqual(xBefore);
        expect(Array.from(f.dataSync())).toEqual(fBefore);
        tf.dispose([x, f]);
      }
    });

    it('leaves the kernel inputs intact and readable', async () => {
      await tf.setBackend('wasm');
      for (const c of [
        { n: 3, h: 9, w: 11, cin: 1, cout: 4, k: 3, stride: 1, pad: 'valid' },
        { n: 3, h: 28, w: 28, cin: 2, cout: 32, k: 3, stride: 1, pad: 'same' },
      ] satisfies Case[]) {
        const xVals = randomArray(c.n * c.h * c.w * c.cin, 5);
        const dyVals = randomArray(size(outShape(c)), 6);
        const x = tf.tensor4d(xVals, [c.n, c.h, c.w, c.cin]);
        const dy = tf.tensor4d(dyVals, outShape(c));
        const attrs = {
          strides: c.stride,
          pad: c.pad,
          dataFormat: 'NHWC',
          filterShape: [c.k, c.k, c.cin, c.cout],
        };
        const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
        dW.dispose();
        expect(x.isDisposed || dy.isDisposed).toBe(false);
        expectClose(x.dataSync(), xVals, 0, 1e-7);
        expectClose(dy.dataSync(), dyVals, 0, 1e-7);
        tf.dispose([x, dy]);
      }
    });
  });

  // ---- Conv2DBackpropInput: our replacement of the stock wasm kernel ----

  /** Runs Conv2DBackpropInput on the active backend and returns dx as a plain array. */
  function backpropInput(c: Case, dyVals: number[], wVals: number[], dataFormat: 'NHWC' | 'NCHW' = 'NHWC') {
    return tf.tidy(() => {
      const nhwc = outShape(c);
      const dyShape: Shape4 = dataFormat === 'NHWC' ? nhwc : [nhwc[0], nhwc[3], nhwc[1], nhwc[2]];
      const inputShape: Shape4 = dataFormat === 'NHWC' ? [c.n, c.h, c.w, c.cin] : [c.n, c.cin, c.h, c.w];
      const dy = tf.tensor4d(dyVals, dyShape);
      const filter = tf.tensor4d(wVals, [c.k, c.k, c.cin, c.cout]);
      const attrs = { strides: c.stride, pad: c.pad, dataFormat, inputShape };
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
      expect(dx.shape).toEqual(inputShape);
      return dx.dataSync() as Float32Array;
    });
  }

  const inputGrid: Case[] = [];
  for (const [h, w] of [
    [9, 11],
    [10, 12],
    [28, 28],
  ] as const) {
    for (const stride of [1, 2]) {
      for (const pad of ['valid', 'same'] as const) {
        for (const k of [3, 5]) {
          for (const [cin, cout] of [
            [1, 4],
            [3, 8],
            [16, 5],
          ] as const) {
            inputGrid.push({ n: 2, h, w, cin, cout, k, stride, pad });
          }
        }
      }
    }
  }
  inputGrid.push(
    // Non-square strides, even kernels, larger strides.
    { n: 3, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: [2, 1], pad: 'same' },
    { n: 3, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: [1, 2], pad: 'valid' },
    { n: 3, h: 10, w: 12, cin: 2, cout: 4, k: 4, stride: 2, pad: 'same' },
    { n: 2, h: 11, w: 13, cin: 2, cout: 3, k: 5, stride: 3, pad: 'same' },
    { n: 2, h: 10, w: 10, cin: 2, cout: 3, k: 3, stride: 3, pad: 'valid' },
    // Kernels smaller than the stride: some rows/cols get no gradient at all.
    { n: 2, h: 9, w: 10, cin: 3, cout: 4, k: 1, stride: 2, pad: 'valid' },
    { n: 2, h: 10, w: 9, cin: 3, cout: 4, k: 2, stride: 3, pad: 'same' },
    // Explicit pads, including ones wider than the kernel (sub-convs then skip leading rows).
    { n: 2, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: 2, pad: 1 },
    { n: 2, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: 1, pad: 4 },
    { n: 2, h: 8, w: 7, cin: 3, cout: 4, k: 3, stride: 2, pad: 5 },
    {
      n: 2,
      h: 9,
      w: 11,
      cin: 3,
      cout: 4,
      k: 3,
      stride: 2,
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
    {
      n: 2,
      h: 9,
      w: 11,
      cin: 3,
      cout: 4,
      k: 3,
      stride: 1,
      pad: [
        [0, 0],
        [0, 4],
        [3, 1],
        [0, 0],
      ],
    },
    // Shapes of the deep tower's layers (batch cut down) and the small tower's.
    { n: 2, h: 7, w: 7, cin: 128, cout: 512, k: 3, stride: 2, pad: 'same' },
    { n: 2, h: 14, w: 14, cin: 64, cout: 128, k: 3, stride: 2, pad: 'same' },
    { n: 2, h: 28, w: 28, cin: 32, cout: 64, k: 3, stride: 2, pad: 'same' },
    { n: 4, h: 12, w: 12, cin: 4, cout: 16, k: 5, stride: 1, pad: 'valid' },
    { n: 1, h: 1, w: 1, cin: 2, cout: 3, k: 3, stride: 2, pad: 'same' },
    ...winogradCases,
  );

  describe(`Conv2DBackpropInput on ${backend}`, () => {
    // With native kernels on top, the registry holds theirs (native-kernel.test.ts checks that).
    if (backend === 'wasm') {
      it('replaces the stock kernel', async () => {
        await tf.setBackend('wasm');
        const { registerWasmConv2DBackpropInput } = await import('../src/backend/conv2d-backprop-input.ts');
        const before = tf.getKernel('Conv2DBackpropInput', 'wasm');
        registerWasmConv2DBackpropInput(); // again: a no-op, no duplicate-registration warning
        expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(before);
        expect(before?.kernelFunc.name).toBe('conv2DBackpropInputWasm');
      });
    }

    it.each(inputGrid.map((c) => [JSON.stringify(c), c] as const))('matches cpu for %s', async (_, c) => {
      const dyVals = randomArray(size(outShape(c)), 3);
      const wVals = randomArray(c.k * c.k * c.cin * c.cout, 4);
      const expected = await onBackend('cpu', () => backpropInput(c, dyVals, wVals));
      const actual = await onBackend('wasm', () => backpropInput(c, dyVals, wVals));
      expectClose(actual, expected);
    });

    it('hands NCHW to the stock kernel', async () => {
      const c: Case = { n: 2, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: 2, pad: 'same' };
      const dyVals = randomArray(size(outShape(c)), 5);
      const wVals = randomArray(c.k * c.k * c.cin * c.cout, 6);
      const expected = await onBackend('cpu', () => backpropInput(c, dyVals, wVals, 'NCHW'));
      const actual = await onBackend('wasm', () => backpropInput(c, dyVals, wVals, 'NCHW'));
      expectClose(actual, expected);
    });

    it('frees its intermediates, not its inputs (tf.grad of a conv w.r.t. its input)', async () => {
      await tf.setBackend('wasm');
      for (const [stride, pad] of [
        [1, 'valid'],
        [2, 'same'],
        [2, 5],
      ] as const) {
        const x = tf.tensor4d(randomArray(2 * 14 * 14 * 3, 7), [2, 14, 14, 3]);
        const f = tf.tensor4d(randomArray(3 * 3 * 3 * 8, 8), [3, 3, 3, 8]);
        const xBefore = Array.from(x.dataSync());
        const fBefore = Array.from(f.dataSync());
        const tensors = tf.memory().numTensors;
        const dataIds = tf.engine().backend.numDataIds();

        const loss = (input: tf.Tensor) =>
          tf
            .conv2d(input as tf.Tensor4D, f, stride, pad)
            .square()
            .sum();
        for (let i = 0; i < 3; i++) tf.grad(loss)(x).dispose();

        expect(tf.memory().numTensors).toBe(tensors);
        expect(tf.engine().backend.numDataIds()).toBe(dataIds);
        expect(Array.from(x.dataSync())).toEqual(xBefore);
        expect(Array.from(f.dataSync())).toEqual(fBefore);
        tf.dispose([x, f]);
      }
    });

    it('leaves the kernel inputs intact and readable', async () => {
      await tf.setBackend('wasm');
      for (const c of [
        { n: 2, h: 9, w: 11, cin: 3, cout: 4, k: 3, stride: 1, pad: 'valid' },
        { n: 2, h: 9, w: 11, cin: 1, cout: 1, k: 3, stride: 2, pad: 'same' },
      ] satisfies Case[]) {
        const dyVals = randomArray(size(outShape(c)), 9);
        const wVals = randomArray(c.k * c.k * c.cin * c.cout, 10);
        const dy = tf.tensor4d(dyVals, outShape(c));
        const filter = tf.tensor4d(wVals, [c.k, c.k, c.cin, c.cout]);
        const attrs = {
          strides: c.stride,
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: [c.n, c.h, c.w, c.cin],
        };
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
        dx.dispose();
        expect(dy.isDisposed || filter.isDisposed).toBe(false);
        expectClose(dy.dataSync(), dyVals, 0, 1e-7);
        expectClose(filter.dataSync(), wVals, 0, 1e-7);
        tf.dispose([dy, filter]);
      }
    });
  });

  // ---- BatchMatMul: transposed products moved onto XNNPACK ----

  describe(`BatchMatMul on ${backend}`, () => {
    /** Runs BatchMatMul on the active backend; a and b are given untransposed-shape-agnostic as raw shapes. */
    function product(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
      return tf.tidy(() => {
        const a = tf.tensor(randomArray(size(aShape), 21), aShape);
        const b = tf.tensor(randomArray(size(bShape), 22), bShape);
        const out = tf
          .engine()
          .runKernel('BatchMatMul', { a, b }, { transposeA, transposeB } as never) as tf.Tensor;
        return { shape: out.shape, values: out.dataSync() as Float32Array };
      });
    }

    const cases: [number[], number[], boolean, boolean][] = [];
    for (const [m, k, n] of [
      [128, 64, 512],
      [7, 1, 5],
      [1, 9, 3],
      [5, 300, 1],
    ] as const) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const aShape = transposeA ? [k, m] : [m, k];
          const bShape = transposeB ? [n, k] : [k, n];
          cases.push([[1, ...aShape], [1, ...bShape], transposeA, transposeB]);
          cases.push([aShape, bShape, transposeA, transposeB]);
        }
      }
    }
    // Batched products and broadcasting stay on the stock kernel.
    cases.push([[3, 4, 6], [3, 5, 6], false, true], [[3, 6, 4], [1, 6, 5], true, false]);

    it.each(cases.map((c) => [JSON.stringify(c), c] as const))('matches cpu for %s', async (_, c) => {
      const expected = await onBackend('cpu', () => product(...c));
      const actual = await onBackend('wasm', () => product(...c));
      expect(actual.shape).toEqual(expected.shape);
      expectClose(actual.values, expected.values);
    });

    it('wraps the stock kernel once, frees what it makes and leaves its inputs intact', async () => {
      await tf.setBackend('wasm');
      const { registerWasmBatchMatMul } = await import('../src/backend/batch-mat-mul.ts');
      const before = tf.getKernel('BatchMatMul', 'wasm');
      registerWasmBatchMatMul();
      expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(before);
      expect(before?.kernelFunc.name).toBe('batchMatMulWasm');

      const aVals = randomArray(64 * 32, 23);
      const bVals = randomArray(64 * 16, 24);
      const a = tf.tensor2d(aVals, [64, 32]);
      const b = tf.tensor2d(bVals, [64, 16]);
      const w = tf.ones([32, 8]);
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      for (let i = 0; i < 3; i++) {
        tf.matMul(a, b, true, false).dispose();
        tf.matMul(b, a, true, false).dispose();
        tf.matMul(a, a, false, true).dispose();
        // Both backward products of a dense layer: dx = dy·wᵀ and dw = xᵀ·dy.
        const loss = (x: tf.Tensor, v: tf.Tensor) =>
          tf
            .matMul(x as tf.Tensor2D, v as tf.Tensor2D)
            .square()
            .sum();
        tf.dispose(tf.grads(loss)([a, w]));
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      expectClose(a.dataSync(), aVals, 0, 1e-7);
      expectClose(b.dataSync(), bVals, 0, 1e-7);
      tf.dispose([a, b, w]);
    });
  });

  describe(`Identity and Cast on ${backend}`, () => {
    it('shares the data of what it clones instead of copying it, and frees it with the last reference', async () => {
      await tf.setBackend('wasm');
      const values = randomArray(6 * 5, 31);
      const x = tf.tensor2d(values, [6, 5]);
      const buffers = tf.memory().numDataBuffers;
      const dataIds = tf.engine().backend.numDataIds();
      // tf.clone runs the Identity kernel, as the engine's clones of tensors saved for a gradient do.
      const y = tf.clone(x);
      expect(y.dataId).toBe(x.dataId);
      expect(tf.memory().numDataBuffers).toBe(buffers);
      x.dispose();
      expectClose(y.dataSync(), values, 0, 1e-7);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      y.dispose();
      expect(tf.engine().backend.numDataIds()).toBe(dataIds - 1);
    });

    it('casts to the same dtype by sharing the data, to another by converting it', async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor1d([1.5, -2.25, 3]);
      const buffers = tf.memory().numDataBuffers;
      const same = tf.cast(x, 'float32');
      expect(same.dataId).toBe(x.dataId);
      expect(tf.memory().numDataBuffers).toBe(buffers);
      const other = tf.cast(x, 'int32');
      expect(other.dataId).not.toBe(x.dataId);
      expect(Array.from(other.dataSync())).toEqual([1, -2, 3]);
      x.dispose();
      expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
      tf.dispose([same, other]);
    });

    it('clones string tensors with the stock kernel', async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor1d(['pair', 'tower']);
      const y = tf.clone(x);
      x.dispose();
      expect(y.dataSync()).toEqual(['pair', 'tower']);
      y.dispose();
    });
  });

  type Weights = Record<string, { shape: number[]; values: number[] }>;

  /** Gradients of `loss` w.r.t. every weight, as plain arrays keyed by variable name. */
  function modelGrads(weights: Weights, loss: (v: Record<string, tf.Variable>) => tf.Scalar) {
    return tf.tidy(() => {
      const v = Object.fromEntries(
        Object.entries(weights).map(([name, w]) => [
          name,
          tf.variable(tf.tensor(w.values, w.shape), true, name),
        ]),
      ) as Record<string, tf.Variable>;
      const { grads, value } = tf.variableGrads(() => loss(v), Object.values(v));
      const out = {
        loss: value.dataSync()[0]!,
        grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])),
      };
      for (const variable of Object.values(v)) variable.dispose();
      return out;
    });
  }

  /** Seeded weights for `spec`, each scaled by its entry in `scale` (default 0.3). */
  function makeWeights(
    spec: Record<string, number[]>,
    scale: (name: string, shape: number[]) => number,
  ): Weights {
    return Object.fromEntries(
      Object.entries(spec).map(([name, shape], i) => {
        const k = scale(name, shape);
        return [name, { shape, values: randomArray(size(shape), 10 + i).map((u) => u * k) }];
      }),
    );
  }

  /** Runs `loss` on cpu and wasm, checks wasm leaks nothing and matches cpu gradient by gradient. */
  async function expectGradsMatchCpu(
    weights: Weights,
    loss: (v: Record<string, tf.Variable>) => tf.Scalar,
    rtol = 1e-4,
    atol = 1e-4,
  ) {
    const cpu = await onBackend('cpu', () => modelGrads(weights, loss));
    const tensors = tf.memory().numTensors;
    await tf.setBackend('wasm');
    const dataIds = tf.engine().backend.numDataIds();
    const wasm = modelGrads(weights, loss);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    expect(Object.keys(wasm.grads).sort()).toEqual(Object.keys(weights).sort());
    for (const name of Object.keys(weights)) {
      const expected = cpu.grads[name]!;
      // Scale-aware: a deep net's gradients span orders of magnitude between layers.
      const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
      expect(scale, `gradient of ${name} is all zeros`).toBeGreaterThan(0);
      expectClose(wasm.grads[name]!, expected, rtol, atol * Math.max(1, scale));
    }
  }

  describe(`conv model gradients on ${backend}`, () => {
    it('matches cpu via tf.variableGrads (LeNet-ish, tanh, stride 1 and 2)', async () => {
      const spec: Record<string, number[]> = {
        // The input is trainable too, so the first conv's input gradient (stride 1, valid) is checked.
        x: [4, 28, 28, 1],
        c1: [5, 5, 1, 4],
        b1: [4],
        c2: [5, 5, 4, 16],
        b2: [16],
        d: [6 * 6 * 16, 10],
      };
      const weights = makeWeights(spec, (name) => (name === 'x' ? 1 : 0.3));
      await expectGradsMatchCpu(weights, (v) => {
        const conv = (input: tf.Tensor4D, f: string, b: string, stride: number, pad: 'valid' | 'same') =>
          tf.tanh(tf.add(tf.conv2d(input, v[f] as tf.Tensor4D, stride, pad), v[b]!)) as tf.Tensor4D;
        let h = conv(v.x as tf.Tensor4D, 'c1', 'b1', 1, 'valid');
        h = tf.avgPool(h, 2, 2, 'valid');
        h = conv(h, 'c2', 'b2', 2, 'same');
        const logits = h.reshape([4, -1]).matMul(v.d!);
        return logits.square().mean() as tf.Scalar;
      });
    });

    it('matches cpu via tf.variableGrads (the deep ReLU tower, batch 2)', async () => {
      // 3×3 'same' convs 1→32 s1, 32→64 s2, 64→128 s2, 128→512 s2, ReLU, global average pooling, Dense(64).
      const layers = [
        [1, 32, 1],
        [32, 64, 2],
        [64, 128, 2],
        [128, 512, 2],
      ] as const;
      const spec: Record<string, number[]> = { x: [2, 28, 28, 1] };
      layers.forEach(([cin, cout], l) => {
        spec[`c${l}`] = [3, 3, cin, cout];
        spec[`b${l}`] = [cout];
      });
      spec.d = [512, 64];
      spec.bd = [64];
      // He-style scales keep activations O(1) through the ReLU stack (uniform(-1, 1)·sqrt(6 / fanIn)).
      const weights = makeWeights(spec, (name, shape) =>
        name === 'x' ? 1 : name.startsWith('b') ? 0.1 : Math.sqrt(6 / size(shape.slice(0, -1))),
      );
      await expectGradsMatchCpu(
        weights,
        (v) => {
          let h = v.x as tf.Tensor4D;
          layers.forEach(([, , stride], l) => {
            h = tf.relu(
              tf.add(tf.conv2d(h, v[`c${l}`] as tf.Tensor4D, stride, 'same'), v[`b${l}`]!),
            ) as tf.Tensor4D;
          });
          const pooled = tf.mean(h, [1, 2]);
          const emb = tf.add(tf.matMul(pooled, v.d as tf.Tensor2D), v.bd!);
          return emb.square().mean() as tf.Scalar;
        },
        1e-3,
        1e-5,
      );
    });
  });
}
