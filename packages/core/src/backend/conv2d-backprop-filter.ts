// Conv2DBackpropFilter for the wasm backend, which ships without it (so any conv
// training on wasm dies in the backward pass). The filter gradient is itself a
// convolution, so we express it with wasm's XNNPACK-backed Conv2D instead of a
// JS loop:
//
//   dW[i, j, ci, co] = sum_{n, y, x} xPad[n, y*sh + i, x*sw + j, ci] * dy[n, y, x, co]
//
// Read x^T = [Cin, H, W, N] as a batch of Cin images with N channels and
// dy^T = [Ho, Wo, N, Cout] as an (Ho x Wo) filter; a stride-1 conv with
// dilation = forward stride then yields [Cin, kh(+), kw(+), Cout].
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Fill,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  registerKernel,
  Slice,
  type TensorInfo,
  Transpose,
} from '@tensorflow/tfjs';

const BACKEND = 'wasm';
const NAME = 'Conv2DBackpropFilter (wasm)';

// The engine hands kernels the backend as `{}`; keep that type rather than widen it.
type KernelBackendArg = Parameters<KernelFunc>[0]['backend'];

/**
 * Runs another wasm kernel directly on TensorInfos. Outputs are owned by us and
 * never registered with the engine, so they must be freed with
 * backend.disposeData — but only ours: inputs belong to the caller.
 */
function runWasmKernel(
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  backend: KernelBackendArg,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, BACKEND);
  if (kernel === undefined) throw new Error(`${NAME}: wasm kernel '${kernelName}' is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`${NAME}: kernel '${kernelName}' returned multiple outputs`);
  return out;
}

interface DisposableBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`${NAME}: dy shape [${dy.shape}] does not match forward output [${expectedDy}]`);
  }

  if (dy.shape.includes(0) || x.shape.includes(0)) {
    return runWasmKernel(Fill, {}, backend, {
      shape: [kh, kw, inChannels, outChannels],
      value: 0,
      dtype: 'float32',
    });
  }

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
    const xT = keep(runWasmKernel(Transpose, { x }, backend, { perm: [3, 1, 2, 0] }));
    const dyT = keep(runWasmKernel(Transpose, { x: dy }, backend, { perm: [1, 2, 0, 3] }));
    const conv = keep(
      runWasmKernel(Conv2D, { x: xT, filter: dyT }, backend, {
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
            runWasmKernel(Slice, { x: conv }, backend, {
              begin: [0, 0, 0, 0],
              size: [inChannels, kh, kw, outChannels],
            }),
          );
    // The returned TensorInfo is handed to the engine, so it must not be in `owned`.
    return runWasmKernel(Transpose, { x: cropped }, backend, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of owned) (backend as DisposableBackend).disposeData(t.dataId);
  }
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropFilterWasm,
};

/** Registers the kernel once; safe to call repeatedly and before/after the wasm backend initialises. */
export function registerWasmConv2DBackpropFilter(): void {
  if (getKernel(Conv2DBackpropFilter, BACKEND) === undefined) registerKernel(conv2DBackpropFilterWasmConfig);
}
