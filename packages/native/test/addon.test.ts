// The addon on its own, against plain-JS references: its loader, its arithmetic, and its refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { type Geometry, loadNativeKernels, type NativeKernels } from '../src/index.ts';
import { reference, seeded } from './workload.ts';

function kernels(): NativeKernels {
  const loaded = loadNativeKernels();
  if (!loaded.ok) throw new Error(`the addon must be built for these tests: ${loaded.reason}`);
  return loaded.kernels;
}

// batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft
const g: Geometry = [2, 7, 6, 3, 4, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1];
// The routes: im2col + GEMM (strided, above); direct, stride 1 with few channels, padded unevenly; direct
// forward with pads wider than the kernel, whose input gradient takes the GEMM route; by output position (32
// channels and more), padded on one side only, and with positions whose taps all fall in the padding; one input
// channel with 3×3 taps (its input gradient takes the GEMM route).
const geometries: Record<string, Geometry> = {
  gemm: g,
  direct: [2, 9, 8, 3, 8, 9, 4, 4, 3, 1, 1, 1, 1, 1, 2],
  'wide pads': [1, 5, 5, 2, 9, 7, 3, 3, 3, 1, 1, 1, 1, 3, 2],
  'by position': [3, 4, 4, 64, 2, 2, 8, 3, 3, 2, 2, 1, 1, 0, 0],
  'by position, empty positions': [1, 3, 3, 64, 4, 4, 4, 3, 3, 2, 2, 1, 1, 3, 3],
  'one channel, 3×3': [2, 9, 8, 1, 4, 4, 16, 3, 3, 2, 2, 1, 1, 1, 0],
};

afterEach(() => {
  delete process.env.TWINNET_NATIVE;
});

describe('@twinnet/native', () => {
  it('loads and names its GEMM', () => {
    expect(kernels().describe()).toMatch(/^oneDNN \d+\.\d+\.\d+ sgemm, (avx512|avx2|baseline)$/);
  });

  it('conv2d matches a direct convolution, with bias and relu', () => {
    const native = kernels();
    const x = seeded(2 * 7 * 6 * 3, 1);
    const w = seeded(3 * 3 * 3 * 5, 2);
    const bias = seeded(5, 3);
    const y = new Float32Array(2 * 4 * 3 * 5);
    native.conv2d(g, x, w, bias, 1, y);
    const expected = reference(x, w, g).map((v, i) => Math.max(0, v + bias[i % 5]!));
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
  });

  it.each(Object.entries(geometries))('%s: conv2d, and its gradients as its adjoints', (_, geometry) => {
    // <conv(x), dy> = <x, dx(dy)> = <w, dw(x, dy)>
    const native = kernels();
    const [n, ih, iw, ic, oh, ow, oc, kh, kw] = geometry as number[] as number[];
    const x = seeded(n! * ih! * iw! * ic!, 4);
    const w = seeded(kh! * kw! * ic! * oc!, 5);
    const dy = seeded(n! * oh! * ow! * oc!, 6);
    const y = new Float32Array(dy.length);
    native.conv2d(geometry, x, w, null, 0, y);
    const expected = reference(x, w, geometry);
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const dx = new Float32Array(x.length).fill(Number.NaN);
    const dw = new Float32Array(w.length).fill(Number.NaN);
    native.conv2dBackpropInput(geometry, dy, w, dx);
    native.conv2dBackpropFilter(geometry, x, dy, dw);
    const forward = dot(expected, dy);
    expect(dot(x, dx)).toBeCloseTo(forward, 3);
    expect(dot(w, dw)).toBeCloseTo(forward, 3);
  });

  it('refuses wrong types, wrong lengths and bad geometries', () => {
    const native = kernels();
    const x = new Float32Array(2 * 7 * 6 * 3);
    const w = new Float32Array(3 * 3 * 3 * 5);
    const y = new Float32Array(2 * 4 * 3 * 5);
    expect(() => native.conv2d(g, new Float64Array(x.length) as never, w, null, 0, y)).toThrow(
      /conv2d: x: expected a Float32Array/,
    );
    expect(() => native.conv2d(g, x, w, null, 0, y.subarray(1))).toThrow(
      'twinnet native: conv2d: y has 119 floats where its shape says 120',
    );
    expect(() => native.conv2d(g, x, w, null, 0, new Float32Array(121))).toThrow(/y has 121 floats/);
    expect(() => native.conv2d(g, x, w, new Float32Array(4), 0, y)).toThrow(/bias has 4 floats/);
    expect(() => native.conv2d(g.slice(1), x, w, null, 0, y)).toThrow(/15 integers/);
    expect(() => native.conv2d(g.with(3, 2.5), x, w, null, 0, y)).toThrow(/15 integers/);
    expect(() => native.conv2d(g.with(9, 0), x, w, null, 0, y)).toThrow(/out of range/);
    expect(() => native.conv2d(g, x, w, null, 7, y)).toThrow(/activation must be a whole number from 0 to 1/);
    expect(() => native.setThreads(0)).toThrow(/threads must be a whole number from 1/);
    expect(() => native.avgPoolGrad(g, y, x)).toThrow(/pooling keeps the channel count/);
    const pool = new Float32Array(2 * 4 * 3 * 5);
    expect(() => native.avgPool2x2(x, 2, 7, 6, 3, pool)).toThrow(
      /avgPool2x2: y has 120 floats where its shape says 54/,
    );
    expect(() => native.tile(x, [2, 7, 6, 3], [1, 2, 1, 1], y)).toThrow(/tile: out has 120 floats/);
    const m = new Float32Array(5);
    expect(() => native.adam(y, m, y, y, 120, [0, 0, 0, 0, 1, 1, 0, 0], y, y, y)).toThrow(
      /adam: m has 5 floats/,
    );
    expect(() => native.batchNorm(x, 84, 3, m, m, m, m, 1e-3, x)).toThrow(/batchNorm: mean has 5 floats/);
    expect(() => native.maxPoolGrad(g, x, y, x)).toThrow(/maxPoolGrad: pooling keeps the channel count/);
    const c3 = new Float32Array(3);
    expect(() => native.batchNormTrain(x, 84, 3, m, c3, 1e-3, 1, x, c3, c3)).toThrow(
      /batchNormTrain: scale has 5 floats where its shape says 3/,
    );
    expect(() => native.batchNormTrain(x, 84, 3, c3, c3, 0, 1, x, c3, c3)).toThrow(
      /batchNormTrain: epsilon must be a number in \(0, 1\)/,
    );
    expect(() => native.batchNormTrain(x, 0, 3, c3, c3, 1e-3, 1, x, c3, c3)).toThrow(
      /rows must be a whole number/,
    );
    expect(() => native.batchNormTrainGrad(x, x, y, 84, 3, c3, c3, c3, 1e-3, x, c3, c3)).toThrow(
      /batchNormTrainGrad: y has 120 floats where its shape says 252/,
    );
    expect(() => native.batchNormTrainGrad(x, x, null, 84, 3, c3, c3, c3, 1e-3, x, c3, m)).toThrow(
      /batchNormTrainGrad: dOffset has 5 floats/,
    );
  });

  it('refuses sizes whose products overflow before touching any array', () => {
    const native = kernels();
    const none = new Float32Array(0);
    const big = 2 ** 31 - 1;
    // Each field fits an int32; the products (the input's floats, the im2col rows) do not fit 2^40.
    const huge: Geometry = [big, big, big, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    expect(() => native.conv2d(huge, none, none, null, 0, none)).toThrow(
      /conv2d: the geometry's sizes overflow/,
    );
    const wide: Geometry = [1, 1, 1, 4096, 16384, 16384, 1, 3, 3, 1, 1, 1, 1, 0, 0];
    expect(() => native.conv2dBackpropFilter(wide, none, none, none)).toThrow(/sizes overflow/);
    expect(() => native.conv2d(g.with(0, 2 ** 31), none, none, null, 0, none)).toThrow(/15 integers up to/);
    expect(() => native.tile(none, [2 ** 20, 2 ** 20], [2 ** 10, 1], none)).toThrow(
      /tile: its sizes overflow/,
    );
    expect(() => native.reduce(none, 2 ** 30, 2 ** 30, 2 ** 30, 0, none)).toThrow(
      /reduce: its sizes overflow/,
    );
    expect(() => native.batchNorm(none, 2 ** 40, 2, none, none, none, none, 0, none)).toThrow(
      /sizes overflow/,
    );
    expect(() => native.avgPool2x2(none, big, big, big, 2, none)).toThrow(/avgPool2x2: its sizes overflow/);
    expect(() => native.batchNormTrain(none, 2 ** 40, 2, none, none, 1e-3, 0, none, none, none)).toThrow(
      /batchNormTrain: its sizes overflow/,
    );
    expect(() => native.tanh(none, none, 2 ** 41)).toThrow(/tanh: size must be a whole number from 0 to/);
    expect(() => native.tanh(none, none, Number.NaN)).toThrow(/size must be a whole number/);
  });

  it("throws oneDNN's failures as errors naming the kernel and the status, then carries on", () => {
    const native = kernels() as NativeKernels & { failNextGemm(status: number): void };
    const x = seeded(2 * 7 * 6 * 3, 1);
    const w = seeded(3 * 3 * 3 * 5, 2);
    const y = new Float32Array(2 * 4 * 3 * 5);
    native.failNextGemm(2);
    expect(() => native.conv2d(g, x, w, null, 0, y)).toThrow(
      "twinnet native: conv2d: oneDNN's sgemm failed with dnnl_invalid_arguments (2)",
    );
    native.failNextGemm(5);
    expect(() => native.conv2dBackpropInput(g, y, w, x.slice())).toThrow(
      /conv2dBackpropInput: .*dnnl_runtime_error \(5\)/,
    );
    native.failNextGemm(-1);
    expect(() => native.conv2dBackpropFilter(g, x, y, w.slice())).toThrow(
      /conv2dBackpropFilter: out of memory/,
    );
    const position: Geometry = [3, 4, 4, 64, 2, 2, 8, 3, 3, 2, 2, 1, 1, 0, 0];
    native.failNextGemm(1);
    expect(() =>
      native.conv2d(
        position,
        new Float32Array(3 * 4 * 4 * 64),
        new Float32Array(9 * 64 * 8),
        null,
        0,
        new Float32Array(3 * 2 * 2 * 8),
      ),
    ).toThrow(/dnnl_out_of_memory/);
    native.conv2d(g, x, w, null, 0, y);
    const expected = reference(x, w, g);
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
  });

  it('gives a zero filter gradient for no images, and empty outputs', () => {
    const native = kernels();
    const none: Geometry = g.with(0, 0);
    const dw = new Float32Array(3 * 3 * 3 * 5).fill(Number.NaN);
    native.conv2dBackpropFilter(none, new Float32Array(0), new Float32Array(0), dw);
    expect(dw.every((v) => v === 0)).toBe(true);
    native.conv2d(none, new Float32Array(0), new Float32Array(dw.length), null, 0, new Float32Array(0));
    native.conv2dBackpropInput(none, new Float32Array(0), new Float32Array(dw.length), new Float32Array(0));
  });

  it('says why it is not there when turned off', () => {
    process.env.TWINNET_NATIVE = 'off';
    expect(loadNativeKernels()).toEqual({ ok: false, reason: 'disabled by TWINNET_NATIVE=off' });
  });
});
