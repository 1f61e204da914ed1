// The addon on its own, against plain-JS references: its loader, its arithmetic, and its refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { type Geometry, loadNativeKernels, type NativeKernels } from '../src/index.ts';

function kernels(): NativeKernels {
  const loaded = loadNativeKernels();
  if (!loaded.ok) throw new Error(`the addon must be built for these tests: ${loaded.reason}`);
  return loaded.kernels;
}

function seeded(size: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: size }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
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

/** Direct convolution, the definition im2col + GEMM must reproduce. */
function reference(x: Float32Array, w: Float32Array, geometry: Geometry = g): Float32Array {
  const [n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl] = geometry as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const y = new Float32Array(n * oh * ow * oc);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          let sum = 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * sh + ky * dh - pt;
              const ix = ox * sw + kx * dw - pl;
              if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
              for (let c = 0; c < ic; c++)
                sum += x[((b * ih + iy) * iw + ix) * ic + c]! * w[((ky * kw + kx) * ic + c) * oc + o]!;
            }
          y[((b * oh + oy) * ow + ox) * oc + o] = sum;
        }
  return y;
}

afterEach(() => {
  delete process.env.TWINNET_NATIVE;
});

describe('@twinnet/native', () => {
  it('loads and names its GEMM', () => {
    expect(kernels().describe()).toMatch(/^oneDNN \d+\.\d+\.\d+ sgemm, (avx512|avx2|generic)$/);
  });

  it('conv2d matches a direct convolution, with bias and relu', () => {
    const native = kernels();
    const x = seeded(2 * 7 * 6 * 3, 1);
    const w = seeded(3 * 3 * 3 * 5, 2);
    const bias = seeded(5, 3);
    const y = new Float32Array(2 * 4 * 3 * 5);
    native.conv2d(g, x, w, bias, 1, y);
    const expected = reference(x, w).map((v, i) => Math.max(0, v + bias[i % 5]!));
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

  it('refuses wrong types, short arrays and bad geometries with a TypeError', () => {
    const native = kernels();
    const x = new Float32Array(2 * 7 * 6 * 3);
    const w = new Float32Array(3 * 3 * 3 * 5);
    const y = new Float32Array(2 * 4 * 3 * 5);
    expect(() => native.conv2d(g, new Float64Array(x.length) as never, w, null, 0, y)).toThrow(
      /Float32Array/,
    );
    expect(() => native.conv2d(g, x, w, null, 0, y.subarray(1))).toThrow(/shorter than its shape/);
    expect(() => native.conv2d(g.slice(1), x, w, null, 0, y)).toThrow(/15 integers/);
    expect(() =>
      native.conv2d(
        g.map((v, i) => (i === 9 ? 0 : v)),
        x,
        w,
        null,
        0,
        y,
      ),
    ).toThrow(/out of range/);
    expect(() => native.conv2d(g, x, w, null, 7, y)).toThrow(/activation/);
    expect(() => native.setThreads(0)).toThrow(/at least 1/);
  });

  it('says why it is not there when turned off', () => {
    process.env.TWINNET_NATIVE = 'off';
    expect(loadNativeKernels()).toEqual({ ok: false, reason: 'disabled by TWINNET_NATIVE=off' });
  });
});
