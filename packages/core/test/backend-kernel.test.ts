// Conv2DBackpropFilter on wasm (our kernel) vs the reference cpu kernel.
// Data crosses backends as plain arrays so neither backend sees the other's tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.ts';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

/** Deterministic uniform(-1, 1) values (mulberry32), independent of any backend RNG. */
function randomArray(size: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: size }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-4): void {
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

async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
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
);

describe('Conv2DBackpropFilter on wasm', () => {
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
    const x = tf.tensor4d(randomArray(3 * 28 * 28, 3), [3, 28, 28, 1]);
    const f = tf.tensor4d(randomArray(5 * 5 * 4, 4), [5, 5, 1, 4]);
    const xBefore = Array.from(x.dataSync());
    const fBefore = Array.from(f.dataSync());
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();

    const loss = (filter: tf.Tensor) =>
      tf
        .conv2d(x, filter as tf.Tensor4D, 2, 'same')
        .square()
        .sum();
    for (let i = 0; i < 3; i++) tf.grad(loss)(f).dispose();

    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    expect(Array.from(x.dataSync())).toEqual(xBefore);
    expect(Array.from(f.dataSync())).toEqual(fBefore);
    tf.dispose([x, f]);
  });

  it('leaves the kernel inputs intact and readable', async () => {
    await tf.setBackend('wasm');
    const c: Case = { n: 3, h: 9, w: 11, cin: 1, cout: 4, k: 3, stride: 1, pad: 'valid' };
    const xVals = randomArray(c.n * c.h * c.w, 5);
    const dyVals = randomArray(size(outShape(c)), 6);
    const x = tf.tensor4d(xVals, [c.n, c.h, c.w, c.cin]);
    const dy = tf.tensor4d(dyVals, outShape(c));
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 4] };
    const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
    dW.dispose();
    expect(x.isDisposed || dy.isDisposed).toBe(false);
    expectClose(x.dataSync(), xVals, 0, 1e-7);
    expectClose(dy.dataSync(), dyVals, 0, 1e-7);
    tf.dispose([x, dy]);
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
);

describe('Conv2DBackpropInput on wasm', () => {
  it('replaces the stock kernel', async () => {
    await tf.setBackend('wasm');
    const { registerWasmConv2DBackpropInput } = await import('../src/backend/conv2d-backprop-input.ts');
    const before = tf.getKernel('Conv2DBackpropInput', 'wasm');
    registerWasmConv2DBackpropInput(); // again: a no-op, no duplicate-registration warning
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(before);
    expect(before?.kernelFunc.name).toBe('conv2DBackpropInputWasm');
  });

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
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.cin] };
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
      dx.dispose();
      expect(dy.isDisposed || filter.isDisposed).toBe(false);
      expectClose(dy.dataSync(), dyVals, 0, 1e-7);
      expectClose(filter.dataSync(), wVals, 0, 1e-7);
      tf.dispose([dy, filter]);
    }
  });
});

describe('tiny conv model gradients on wasm', () => {
  /** Gradients of a LeNet-ish loss w.r.t. every weight, as plain arrays keyed by variable name. */
  function modelGrads(weights: Record<string, { shape: number[]; values: number[] }>, xVals: number[]) {
    return tf.tidy(() => {
      const v = Object.fromEntries(
        Object.entries(weights).map(([name, w]) => [
          name,
          tf.variable(tf.tensor(w.values, w.shape), true, name),
        ]),
      ) as Record<string, tf.Variable>;
      const x = tf.tensor4d(xVals, [4, 28, 28, 1]);
      const { grads, value } = tf.variableGrads(() => {
        const conv = (input: tf.Tensor4D, f: string, b: string, stride: number, pad: 'valid' | 'same') =>
          tf.tanh(tf.add(tf.conv2d(input, v[f] as tf.Tensor4D, stride, pad), v[b]!)) as tf.Tensor4D;
        let h = conv(x, 'c1', 'b1', 1, 'valid');
        h = tf.avgPool(h, 2, 2, 'valid');
        h = conv(h, 'c2', 'b2', 2, 'same');
        const logits = h.reshape([4, -1]).matMul(v.d!);
        return logits.square().mean() as tf.Scalar;
      }, Object.values(v));
      const out = {
        loss: value.dataSync()[0]!,
        grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])),
      };
      for (const variable of Object.values(v)) variable.dispose();
      return out;
    });
  }

  it('matches cpu via tf.variableGrads', async () => {
    const spec: Record<string, number[]> = {
      c1: [5, 5, 1, 4],
      b1: [4],
      c2: [5, 5, 4, 16],
      b2: [16],
      d: [6 * 6 * 16, 10],
    };
    const weights = Object.fromEntries(
      Object.entries(spec).map(([name, shape], i) => [
        name,
        { shape, values: randomArray(size(shape), 10 + i).map((u) => u * 0.3) },
      ]),
    );
    const xVals = randomArray(4 * 28 * 28, 7);
    const cpu = await onBackend('cpu', () => modelGrads(weights, xVals));
    const tensors = tf.memory().numTensors;
    const wasm = await onBackend('wasm', () => modelGrads(weights, xVals));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    expect(Object.keys(wasm.grads).sort()).toEqual(Object.keys(spec).sort());
    for (const name of Object.keys(spec)) expectClose(wasm.grads[name]!, cpu.grads[name]!);
  });
});
