// Every kernel of the addon on seeded inputs, through every convolution route (direct, one channel with 3×3 taps,
// by output position, im2col + GEMM, pointwise), for comparing one instruction-set route with another bit for bit.
import type { Geometry, NativeKernels } from '../src/index.ts';

export function seeded(size: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: size }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

// batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft
export const workloadGeometries: Record<string, Geometry> = {
  'small tower 1': [2, 28, 28, 1, 24, 24, 4, 5, 5, 1, 1, 1, 1, 0, 0],
  'small tower 2': [2, 12, 12, 4, 8, 8, 16, 5, 5, 1, 1, 1, 1, 0, 0],
  'direct, 5 outputs': [2, 9, 11, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1, 2, 2],
  'deep tower 1': [2, 28, 28, 1, 14, 14, 32, 3, 3, 2, 2, 1, 1, 0, 0],
  'one channel, 16 outputs': [2, 9, 8, 1, 5, 4, 16, 3, 3, 2, 2, 1, 1, 1, 0],
  'deep tower 2': [2, 14, 14, 32, 7, 7, 64, 3, 3, 2, 2, 1, 1, 0, 0],
  'deep tower 4': [2, 4, 4, 128, 2, 2, 64, 3, 3, 2, 2, 1, 1, 0, 0],
  'wide pads': [1, 5, 5, 2, 9, 7, 3, 3, 3, 1, 1, 1, 1, 3, 2],
  'im2col, strided': [2, 7, 6, 3, 4, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1],
  'im2col, dilated': [2, 9, 11, 3, 5, 7, 5, 3, 3, 1, 1, 2, 2, 0, 0],
  pointwise: [3, 5, 6, 20, 5, 6, 24, 1, 1, 1, 1, 1, 1, 0, 0],
  'one channel, stride 1': [2, 9, 8, 1, 9, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1],
  // Winograd: odd sizes, no padding, padding wider than the taps, channels not a multiple of 8; and a batch whose
  // filter gradient sums 784 tiles (oneDNN splits such a sum over two threads).
  winograd: [2, 9, 11, 16, 9, 11, 24, 3, 3, 1, 1, 1, 1, 1, 1],
  'winograd, valid': [3, 7, 7, 32, 5, 5, 16, 3, 3, 1, 1, 1, 1, 0, 0],
  'winograd, wide pads': [1, 6, 5, 17, 8, 7, 19, 3, 3, 1, 1, 1, 1, 2, 2],
  'winograd, many tiles': [16, 14, 14, 32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1],
};

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function convolutions(
  native: NativeKernels,
  name: string,
  g: Geometry,
  out: Record<string, Float32Array>,
): void {
  const [n, ih, iw, ic, oh, ow, oc, kh, kw] = g as number[] as number[];
  const x = seeded(product([n!, ih!, iw!, ic!]), 1);
  const w = seeded(product([kh!, kw!, ic!, oc!]), 2);
  const dy = seeded(product([n!, oh!, ow!, oc!]), 3);
  const bias = seeded(oc!, 4);
  const y = new Float32Array(dy.length);
  native.conv2d(g, x, w, null, 0, y);
  const fused = new Float32Array(dy.length);
  native.conv2d(g, x, w, bias, 1, fused);
  const dx = new Float32Array(x.length);
  native.conv2dBackpropInput(g, dy, w, dx);
  const dw = new Float32Array(w.length);
  native.conv2dBackpropFilter(g, x, dy, dw);
  Object.assign(out, {
    [`${name}: conv2d`]: y,
    [`${name}: fused`]: fused,
    [`${name}: dx`]: dx,
    [`${name}: dw`]: dw,
  });
}

function elementwise(native: NativeKernels, out: Record<string, Float32Array>): void {
  const size = 1000;
  const x = seeded(size, 5).map((v) => v * 12);
  out.tanh = new Float32Array(size);
  native.tanh(x, out.tanh, size);
  const [m, v, g] = [6, 7, 8].map((seed) => seeded(size, seed));
  v!.forEach((value, i) => {
    v![i] = Math.abs(value);
  });
  const coefficients = [0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -0.001];
  const [xOut, mOut, vOut] = [0, 1, 2].map(() => new Float32Array(size));
  native.adam(x, m!, v!, g!, size, coefficients, xOut!, mOut!, vOut!);
  Object.assign(out, { 'adam x': xOut, 'adam m': mOut, 'adam v': vOut });
}

function layers(native: NativeKernels, out: Record<string, Float32Array>): void {
  const x = seeded(2 * 8 * 6 * 5, 9);
  out.avgPool2x2 = new Float32Array(2 * 4 * 3 * 5);
  native.avgPool2x2(x, 2, 8, 6, 5, out.avgPool2x2);
  const pool: Geometry = [2, 8, 6, 5, 4, 3, 5, 2, 2, 2, 2, 1, 1, 0, 0];
  out.avgPoolGrad = new Float32Array(x.length);
  native.avgPoolGrad(pool, seeded(2 * 4 * 3 * 5, 10), out.avgPoolGrad);
  for (const channels of [1, 5]) {
    const rows = x.length / channels;
    const [mean, offset, scale] = [11, 12, 13].map((seed) => seeded(channels, seed));
    const variance = seeded(channels, 14).map(Math.abs);
    const normalised = new Float32Array(x.length);
    native.batchNorm(x, rows, channels, mean!, variance, offset!, scale!, 1e-3, normalised);
    out[`batchNorm ${channels}`] = normalised;
  }
  const pool3: Geometry = [2, 8, 6, 5, 4, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1];
  out.maxPoolGrad = new Float32Array(x.length);
  native.maxPoolGrad(pool3, x, seeded(2 * 4 * 3 * 5, 15), out.maxPoolGrad);
  for (const relu of [0, 1]) {
    const [scale, offset] = [16, 17].map((seed) => seeded(5, seed));
    const y = new Float32Array(x.length);
    const [mean, variance] = [new Float32Array(5), new Float32Array(5)];
    native.batchNormTrain(x, x.length / 5, 5, scale!, offset!, 1e-3, relu, y, mean, variance);
    const [dx, dScale, dOffset] = [new Float32Array(x.length), new Float32Array(5), new Float32Array(5)];
    const dy = seeded(x.length, 18);
    native.batchNormTrainGrad(
      dy,
      x,
      relu ? y : null,
      x.length / 5,
      5,
      scale!,
      mean,
      variance,
      1e-3,
      dx,
      dScale,
      dOffset,
    );
    Object.assign(out, {
      [`batchNormTrain ${relu}`]: y,
      [`batchNormTrain ${relu} statistics`]: Float32Array.from([...mean, ...variance]),
      [`batchNormTrainGrad ${relu}`]: Float32Array.from([...dx, ...dScale, ...dOffset]),
    });
  }
  for (const mean of [0, 1]) {
    out[`reduce ${mean}`] = new Float32Array(2 * 5);
    native.reduce(x, 2, 8 * 6, 5, mean, out[`reduce ${mean}`]!);
  }
  out.tile = new Float32Array(x.length * 6);
  native.tile(x, [2, 8, 6, 5], [1, 3, 2, 1], out.tile);
}

/** Every kernel's outputs, by name. */
export function workload(native: NativeKernels): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(workloadGeometries)) convolutions(native, name, g, out);
  elementwise(native, out);
  layers(native, out);
  return out;
}

/** Direct convolution, the definition every route must reproduce (to float32 rounding). */
export function reference(x: Float32Array, w: Float32Array, geometry: Geometry): Float32Array {
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
