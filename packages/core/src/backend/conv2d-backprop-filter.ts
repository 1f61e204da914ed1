// Conv2DBackpropFilter for the wasm backend, which ships without it (so any conv
// training on wasm dies in the backward pass). The filter gradient is a product
// reduced over all K = N·Ho·Wo output positions:
//
//   dW[i, j, ci, co] = sum_{n, y, x} xPad[n, y*sh + i, x*sw + j, ci] · dy[n, y, x, co]
//
// Two ways to run it on wasm's XNNPACK-backed kernels, chosen by Cout:
//
// * matmul (Cout >= 32): dW = P^T · dy with P^T = transposed im2col of x,
//   [kh·kw·Cin, K], which we write straight into the wasm heap, times dy as
//   [K, Cout], on BatchMatMul (XNNPACK only without transpose flags; with one
//   it falls back to a scalar loop). XNNPACK does not block over K, so we do,
//   a few images at a time. On the deep tower's layers (batch 128) this is
//   up to 2× faster than the conv route (about even on the 64→128 one).
// * conv (small Cout): read x^T = [Cin, H, W, N] as a batch of Cin images with
//   N channels and dy^T = [Ho, Wo, N, Cout] as an (Ho × Wo) filter; a stride-1
//   conv with dilation = forward stride yields [Cin, kh(+), kw(+), Cout]. With
//   few output channels the GEMM is cheap and writing P (kh·kw·Cin·K values)
//   would dominate; here this is ~1.7× faster than the matmul route.
import {
  BatchMatMul,
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Fill,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  Slice,
  type TensorInfo,
  Transpose,
} from '@tensorflow/tfjs';
import { BACKEND, type KernelBackendArg, runWasmKernel, type WasmBackend } from './wasm-kernel.ts';

const NAME = 'Conv2DBackpropFilter (wasm)';
/** From this many output channels on, the matmul route beats the conv route (measured, see above). */
const MATMUL_MIN_OUT_CHANNELS = 32;
/** Target reduction length per matrix product (output positions per chunk of images). */
const CHUNK_K = 2048;

// The engine hands kernels the backend as `{}`; keep that type rather than widen it.

const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error(`${NAME}: expected inputs x and dy`);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  // Not part of the tfjs attrs (the op asserts dilation 1 before reaching us);
  // reject it anyway should a caller pass it through.
  const { dilations } = attrs as { dilations?: number | [number, number] };

  if (dataFormat === 'NCHW') {
    throw new Error(`${NAME}: dataFormat 'NCHW' is not supported; use 'NHWC' (channels last)`);
  }
  if (dilations !== undefined && [dilations].flat().some((d) => d !== 1)) {
    throw new Error(`${NAME}: dilations other than 1 are not supported (got ${String(dilations)})`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`${NAME}: expected rank-4 x and dy, got [${x.shape}] and [${dy.shape}]`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`${NAME}: expected float32 inputs, got ${x.dtype} and ${dy.dtype}`);
  }

  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`${NAME}: dy shape [${dy.shape}] does not match forward output [${expectedDy}]`);
  }

  if (dy.shape.includes(0) || x.shape.includes(0)) {
    return runWasmKernel(NAME, Fill, {}, backend, {
      shape: [kh, kw, inChannels, outChannels],
      value: 0,
      dtype: 'float32',
    });
  }

  const wasm = backend as unknown as WasmBackend;
  return outChannels >= MATMUL_MIN_OUT_CHANNELS
    ? viaMatMul(wasm, backend, x, dy, info)
    : viaConv(wasm, backend, x, dy, info);
};

const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

function viaMatMul(
  wasm: WasmBackend,
  backend: KernelBackendArg,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const patchRows = kh * kw * inChannels;
  const perImage = outHeight * outWidth;
  const imagesPerChunk = Math.max(1, Math.min(batchSize, Math.floor(CHUNK_K / perImage)));

  let dW: TensorInfo | undefined;
  // Reused by every chunk: XNNPACK caches nothing on the left operand.
  const patchesT = wasm.makeOutput([patchRows, imagesPerChunk * perImage], 'float32');
  try {
    for (let n0 = 0; n0 < batchSize; n0 += imagesPerChunk) {
      const n1 = Math.min(batchSize, n0 + imagesPerChunk);
      const k = (n1 - n0) * perImage;
      // The right operand is what XNNPACK packs and caches, keyed by tensor id alone (not shape or
      // contents), until that tensor is freed. So each chunk gets a fresh copy of its rows of dy, freed
      // right after, rather than dy's own id or a reused buffer.
      const dyRows = wasm.makeOutput([k, outChannels], 'float32');
      try {
        fillPatchesT(wasm, x, patchesT, info, n0, n1);
        const from = n0 * perImage * outChannels;
        wasm
          .typedArrayFromHeap(dyRows)
          .set(wasm.typedArrayFromHeap(dy).subarray(from, from + k * outChannels));
        const part = runWasmKernel(
          NAME,
          BatchMatMul,
          { a: view(patchesT, [1, patchRows, k]), b: view(dyRows, [1, k, outChannels]) },
          backend,
          { transposeA: false, transposeB: false },
        );
        if (dW === undefined) {
          dW = part;
        } else {
          const acc = wasm.typedArrayFromHeap(dW);
          const add = wasm.typedArrayFromHeap(part);
          for (let e = 0; e < acc.length; e++) acc[e]! += add[e]!;
          wasm.disposeData(part.dataId);
        }
      } finally {
        wasm.disposeData(dyRows.dataId);
      }
    }
  } catch (err) {
    if (dW !== undefined) wasm.disposeData(dW.dataId);
    throw err;
  } finally {
    wasm.disposeData(patchesT.dataId);
  }
  // Rows of the product are (i, j, ci): it already is dW in HWIO order.
  return view(dW!, [kh, kw, inChannels, outChannels]);
}

function viaConv(
  wasm: WasmBackend,
  backend: KernelBackendArg,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  // Same top/left pads as the forward conv. Bottom/right only need to reach the
  // last row/col the forward conv touched; when the stride skipped trailing
  // input rows this is negative, so we clamp and crop the surplus instead.
  const padBottom = Math.max(0, (outHeight - 1) * sh + kh - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * sw + kw - inWidth - padInfo.left);

  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    owned.push(t);
    return t;
  };
  try {
    const xT = keep(runWasmKernel(NAME, Transpose, { x }, backend, { perm: [3, 1, 2, 0] }));
    const dyT = keep(runWasmKernel(NAME, Transpose, { x: dy }, backend, { perm: [1, 2, 0, 3] }));
    const conv = keep(
      runWasmKernel(NAME, Conv2D, { x: xT, filter: dyT }, backend, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [padInfo.top, padBottom],
          [padInfo.left, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
      }),
    );
    const cropped =
      conv.shape[1] === kh && conv.shape[2] === kw
        ? conv
        : keep(
            runWasmKernel(NAME, Slice, { x: conv }, backend, {
              begin: [0, 0, 0, 0],
              size: [inChannels, kh, kw, outChannels],
            }),
          );
    // The returned TensorInfo is handed to the engine, so it must not be in `owned`.
    return runWasmKernel(NAME, Transpose, { x: cropped }, backend, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of owned) wasm.disposeData(t.dataId);
  }
}

/**
 * Transposed im2col of images [n0, n1): patchesT[(i, j, ci), (n - n0, y, x)] = xPad[n, y·sh + i, x·sw + j, ci],
 * the input value the forward conv multiplied by filter tap (i, j, ci) for output position (n, y, x).
 */
function fillPatchesT(
  wasm: WasmBackend,
  x: TensorInfo,
  patchesT: TensorInfo,
  info: backend_util.Conv2DInfo,
  n0: number,
  n1: number,
): void {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top: padTop, left: padLeft } = info.padInfo;
  const K = (n1 - n0) * outHeight * outWidth;
  // Views only now, after the last allocation (makeOutput may grow, and so detach, the heap).
  const out = wasm.typedArrayFromHeap(patchesT);
  const src = wasm.typedArrayFromHeap(x);
  // Output column range [xoStart[j], xoEnd[j]) reads inside x for filter column j; the rest is padding.
  const xoStart: number[] = [];
  const xoEnd: number[] = [];
  for (let j = 0; j < kw; j++) {
    const lo = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - j) / sw)));
    xoStart.push(lo);
    xoEnd.push(Math.max(lo, Math.min(outWidth, Math.floor((inWidth - 1 + padLeft - j) / sw) + 1)));
  }
  // (n, y) outermost: the kh input rows it reads stay in cache while all kh·kw·Cin rows are written.
  for (let n = n0; n < n1; n++) {
    for (let y = 0; y < outHeight; y++) {
      const col = ((n - n0) * outHeight + y) * outWidth;
      for (let i = 0; i < kh; i++) {
        const yi = y * sh + i - padTop;
        const inside = yi >= 0 && yi < inHeight;
        for (let j = 0; j < kw; j++) {
          const lo = xoStart[j]!;
          const hi = xoEnd[j]!;
          for (let ci = 0; ci < cin; ci++) {
            const to = ((i * kw + j) * cin + ci) * K + col;
            if (!inside) {
              out.fill(0, to, to + outWidth);
              continue;
            }
            for (let xo = 0; xo < lo; xo++) out[to + xo] = 0;
            const step = sw * cin;
            let from = ((n * inHeight + yi) * inWidth + lo * sw + j - padLeft) * cin + ci;
            for (let xo = lo; xo < hi; xo++, from += step) out[to + xo] = src[from]!;
            for (let xo = hi; xo < outWidth; xo++) out[to + xo] = 0;
          }
        }
      }
    }
  }
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropFilterWasm,
};

/** Registers the kernel once; safe to call repeatedly and before/after the wasm backend initialises. */
export function registerWasmConv2DBackpropFilter(): void {
  if (getKernel(Conv2DBackpropFilter, BACKEND) === undefined) registerKernel(conv2DBackpropFilterWasmConfig);
}
