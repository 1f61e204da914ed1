// Native kernels for the wasm backend under Node (@twinnet/native): the convolutions of both towers and their
// two gradients (oneDNN's sgemm by output position or over im2col, or direct for few channels or taps), tanh,
// 2×2 average pooling and its gradient, batch normalisation, Sum and Mean over a run of axes, Tile and one
// variable's Adam step, computed in place on the wasm heap by an addon that picks its instruction set (baseline, AVX2, AVX-512) at load. What they do not
// cover (NCHW, fused activations other than relu, other axis sets, other pools, non-float32 data) goes to the
// kernel they replaced, so the result never depends on which kernels are loaded beyond float32 rounding.
// Measured steps and profile: README, Compute backend and Benchmark.
import {
  AvgPool,
  type AvgPoolAttrs,
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  FusedBatchNorm,
  type FusedBatchNormAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  Mean,
  type MeanAttrs,
  registerKernel,
  Sum,
  type SumAttrs,
  Tanh,
  type TensorInfo,
  Tile,
  type TileAttrs,
  unregisterKernel,
  util,
} from '@tensorflow/tfjs';
import type { Geometry, NativeKernels } from '@twinnet/native';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  type BatchNormTrainAttrs,
} from '../model/batch-norm-train.ts';
import { ADAM_KERNEL, type AdamKernelAttrs } from '../train/optimizers/adam-kernel.ts';
import { BACKEND, type WasmBackend } from './wasm-kernel.ts';

type Conv2DInfo = backend_util.Conv2DInfo;

/** The addon's geometry of a convolution or pool, from tfjs's own shape arithmetic. */
function geometry(info: Conv2DInfo): Geometry {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** tfjs's shape arithmetic of an NHWC convolution, as every kernel here needs it. */
function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'> & { dilations?: Conv2DAttrs['dilations'] },
): { info: Conv2DInfo; g: Geometry } {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return { info, g: geometry(info) };
}

const isFloat = (...tensors: (TensorInfo | undefined)[]) => tensors.every((t) => t?.dtype === 'float32');
const shape4 = (t: TensorInfo) => t.shape as [number, number, number, number];

/** Allocates the output first: an allocation may grow the heap and detach earlier views. */
function withOutput(
  backend: WasmBackend,
  shape: number[],
  inputs: TensorInfo[],
  run: (out: Float32Array, ...views: Float32Array[]) => void,
): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (shape.every((d) => d > 0))
    run(backend.typedArrayFromHeap(out), ...inputs.map((t) => backend.typedArrayFromHeap(t)));
  return out;
}

function kernels(native: NativeKernels, stock: (name: string) => KernelFunc): KernelConfig[] {
  const conv2d = (
    backend: WasmBackend,
    x: TensorInfo,
    filter: TensorInfo,
    bias: TensorInfo | undefined,
    relu: boolean,
    attrs: Conv2DAttrs,
  ): TensorInfo => {
    const { info, g } = convGeometry(x.shape, filter.shape, attrs);
    return withOutput(backend, info.outShape, bias ? [x, filter, bias] : [x, filter], (y, xv, wv, bv) =>
      native.conv2d(g, xv!, wv!, bv ?? null, relu ? 1 : 0, y),
    );
  };

  const fused: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    const biasFits = bias === undefined || util.sizeFromShape(bias.shape) === filter?.shape[3];
    if (
      attrs.dataFormat === 'NCHW' ||
      preluActivationWeights !== undefined ||
      (activation !== 'linear' && activation !== 'relu') ||
      !biasFits ||
      !isFloat(x, filter, bias ?? x)
    ) {
      return stock(FusedConv2D)(args);
    }
    return conv2d(args.backend as WasmBackend, x!, filter!, bias, activation === 'relu', attrs);
  };

  const plain: KernelFunc = (args) => {
    const { x, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DAttrs;
    if (attrs.dataFormat === 'NCHW' || !isFloat(x, filter)) return stock(Conv2D)(args);
    return conv2d(args.backend as WasmBackend, x!, filter!, undefined, false, attrs);
  };

  const backpropInput: KernelFunc = (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === 'NCHW' || !isFloat(dy, filter)) return stock(Conv2DBackpropInput)(args);
    const { inputShape } = attrs;
    const { g } = convGeometry(inputShape, filter!.shape, attrs);
    const backend = args.backend as WasmBackend;
    return withOutput(backend, [...inputShape], [dy!, filter!], (dx, dyv, wv) =>
      native.conv2dBackpropInput(g, dyv!, wv!, dx),
    );
  };

  const backpropFilter: KernelFunc = (args) => {
    const { x, dy } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW' || !isFloat(x, dy)) return stock(Conv2DBackpropFilter)(args);
    const { filterShape } = attrs;
    const { g } = convGeometry(x!.shape, filterShape, attrs);
    const backend = args.backend as WasmBackend;
    return withOutput(backend, [...filterShape], [x!, dy!], (dw, xv, dyv) =>
      native.conv2dBackpropFilter(g, xv!, dyv!, dw),
    );
  };

  const poolGrad: KernelFunc = (args) => {
    const { dy, input } = args.inputs;
    const { filterSize, strides, pad } = args.attrs as unknown as AvgPoolGradAttrs;
    if (!isFloat(dy, input) || input!.shape.length !== 4) return stock(AvgPoolGrad)(args);
    const info = backend_util.computePool2DInfo(shape4(input!), filterSize, strides, 1, pad);
    const g = geometry(info);
    const backend = args.backend as WasmBackend;
    return withOutput(backend, [...input!.shape], [dy!], (dx, dyv) => native.avgPoolGrad(g, dyv!, dx));
  };

  const maxPoolGrad: KernelFunc = (args) => {
    const { dy, input } = args.inputs;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    if (!isFloat(dy, input) || input!.shape.length !== 4) return stock(MaxPoolGrad)(args);
    const info = backend_util.computePool2DInfo(shape4(input!), filterSize, strides, 1, pad, dimRoundingMode);
    const g = geometry(info);
    const backend = args.backend as WasmBackend;
    return withOutput(backend, [...input!.shape], [input!, dy!], (dx, xv, dyv) =>
      native.maxPoolGrad(g, xv!, dyv!, dx),
    );
  };

  // The small tower's 2×2 pools; other windows, strides and any padding go to the wasm kernel.
  const pool: KernelFunc = (args) => {
    const { x } = args.inputs;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as AvgPoolAttrs;
    if (!isFloat(x) || x!.shape.length !== 4) return stock(AvgPool)(args);
    const info = backend_util.computePool2DInfo(shape4(x!), filterSize, strides, 1, pad, dimRoundingMode);
    const { top, bottom, left, right } = info.padInfo;
    const twoByTwo =
      info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2;
    if (!twoByTwo || top + bottom + left + right !== 0 || info.dataFormat !== 'channelsLast')
      return stock(AvgPool)(args);
    const [batch, inH, inW, channels] = shape4(x!);
    const backend = args.backend as WasmBackend;
    return withOutput(backend, [...info.outShape], [x!], (y, xv) =>
      native.avgPool2x2(xv!, batch, inH, inW, channels, y),
    );
  };

  // Batch normalisation with one parameter per channel (the last axis), as both towers' layers call it.
  const batchNorm: KernelFunc = (args) => {
    const { x, mean, variance, offset, scale } = args.inputs;
    const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
    const channels = x?.shape.at(-1) ?? 0;
    const params = [mean, variance, offset, scale];
    const perChannel = params.every((p) => p !== undefined && util.sizeFromShape(p.shape) === channels);
    if (!isFloat(x, ...params) || !perChannel || channels === 0) return stock(FusedBatchNorm)(args);
    const rows = util.sizeFromShape(x!.shape) / channels;
    const backend = args.backend as WasmBackend;
    return withOutput(
      backend,
      [...x!.shape],
      [x!, mean!, variance!, offset!, scale!],
      (out, xv, m, v, o, sc) => native.batchNorm(xv!, rows, channels, m!, v!, o!, sc!, varianceEpsilon, out),
    );
  };

  // Sum and Mean over one contiguous run of axes (a bias gradient, a global average pool, batch-norm moments):
  // added row by row instead of after a transpose. Other axis sets go to the wasm kernels.
  const reduction =
    (name: string, mean: boolean): KernelFunc =>
    (args) => {
      const { x } = args.inputs;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs | MeanAttrs;
      const axes = util.parseAxisParam(axis, x!.shape).sort((a, b) => a - b);
      const contiguous = axes.every((a, i) => a === axes[0]! + i);
      if (!isFloat(x) || axes.length === 0 || !contiguous) return stock(name)(args);
      const shape = x!.shape;
      const first = axes[0]!;
      const last = axes.at(-1)!;
      const outer = util.sizeFromShape(shape.slice(0, first));
      const reduce = util.sizeFromShape(shape.slice(first, last + 1));
      const inner = util.sizeFromShape(shape.slice(last + 1));
      if (reduce === 0) return stock(name)(args);
      const outShape = keepDims
        ? shape.map((d, i) => (i >= first && i <= last ? 1 : d))
        : shape.filter((_, i) => i < first || i > last);
      const backend = args.backend as WasmBackend;
      return withOutput(backend, outShape, [x!], (out, xv) =>
        native.reduce(xv!, outer, reduce, inner, mean ? 1 : 0, out),
      );
    };

  const tile: KernelFunc = (args) => {
    const { x } = args.inputs;
    const { reps } = args.attrs as unknown as TileAttrs;
    const shape = x!.shape;
    if (!isFloat(x) || shape.length > 8 || shape.some((d) => d === 0) || reps.some((r) => r < 1))
      return stock(Tile)(args);
    const backend = args.backend as WasmBackend;
    return withOutput(
      backend,
      shape.map((d, i) => d * reps[i]!),
      [x!],
      (out, xv) => native.tile(xv!, [...shape], [...reps], out),
    );
  };

  const tanh: KernelFunc = (args) => {
    const { x } = args.inputs;
    if (!isFloat(x)) return stock(Tanh)(args);
    const backend = args.backend as WasmBackend;
    const size = util.sizeFromShape(x!.shape);
    return withOutput(backend, [...x!.shape], [x!], (y, xv) => native.tanh(xv!, y, size));
  };

  return [
    { kernelName: Conv2D, backendName: BACKEND, kernelFunc: plain },
    { kernelName: FusedConv2D, backendName: BACKEND, kernelFunc: fused },
    { kernelName: Conv2DBackpropInput, backendName: BACKEND, kernelFunc: backpropInput },
    { kernelName: Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: backpropFilter },
    { kernelName: AvgPoolGrad, backendName: BACKEND, kernelFunc: poolGrad },
    { kernelName: AvgPool, backendName: BACKEND, kernelFunc: pool },
    { kernelName: MaxPoolGrad, backendName: BACKEND, kernelFunc: maxPoolGrad },
    { kernelName: FusedBatchNorm, backendName: BACKEND, kernelFunc: batchNorm },
    { kernelName: Tanh, backendName: BACKEND, kernelFunc: tanh },
    { kernelName: Tile, backendName: BACKEND, kernelFunc: tile },
    { kernelName: Sum, backendName: BACKEND, kernelFunc: reduction(Sum, false) },
    { kernelName: Mean, backendName: BACKEND, kernelFunc: reduction(Mean, true) },
  ];
}

/** One variable's Adam step (KernelAdam): new value, first and second moment, from one native loop. */
function adamKernel(native: NativeKernels): KernelConfig {
  return {
    kernelName: ADAM_KERNEL,
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, m, v, g } = inputs;
      const { coefficients } = attrs as unknown as AdamKernelAttrs;
      if (!isFloat(x, m, v, g)) throw new Error(`${ADAM_KERNEL}: expected float32 tensors`);
      const wasm = backend as WasmBackend;
      const size = util.sizeFromShape(x!.shape);
      if ([m, v, g].some((t) => util.sizeFromShape(t!.shape) !== size)) {
        throw new Error(`${ADAM_KERNEL}: value, moments and gradient differ in size`);
      }
      const outs = [0, 1, 2].map(() => wasm.makeOutput([...x!.shape], 'float32'));
      const [xv, mv, vv, gv, ...out] = [x!, m!, v!, g!, ...outs].map((t) => wasm.typedArrayFromHeap(t));
      native.adam(xv!, mv!, vv!, gv!, size, coefficients, out[0]!, out[1]!, out[2]!);
      return outs;
    },
  };
}

/** Batch normalisation in training, one kernel each way (model/batch-norm-train.ts); float32 only. */
function batchNormTrainKernels(native: NativeKernels): KernelConfig[] {
  const channelsOf = (x: TensorInfo | undefined, name: string) => {
    const channels = x?.shape.at(-1) ?? 0;
    if (x?.dtype !== 'float32' || channels === 0)
      throw new Error(`${name}: expected float32 x with channels last`);
    return { channels, rows: util.sizeFromShape(x.shape) / channels };
  };
  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, scale, offset } = inputs;
    const { epsilon, relu } = attrs as unknown as BatchNormTrainAttrs;
    const { rows, channels } = channelsOf(x, BATCH_NORM_TRAIN);
    const wasm = backend as WasmBackend;
    const outs = [[...x!.shape], [channels], [channels]].map((shape) => wasm.makeOutput(shape, 'float32'));
    const [xv, sv, ov, y, mean, variance] = [x!, scale!, offset!, ...outs].map((t) =>
      wasm.typedArrayFromHeap(t),
    );
    if (rows > 0)
      native.batchNormTrain(xv!, rows, channels, sv!, ov!, epsilon, relu ? 1 : 0, y!, mean!, variance!);
    return outs;
  };
  const backward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, x, y, scale, mean, variance } = inputs;
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const { rows, channels } = channelsOf(x, BATCH_NORM_TRAIN_GRAD);
    const wasm = backend as WasmBackend;
    const outs = [[...x!.shape], [channels], [channels]].map((shape) => wasm.makeOutput(shape, 'float32'));
    const view = (t: TensorInfo) => wasm.typedArrayFromHeap(t);
    const [dyv, xv, sv, mv, vv, dx, dScale, dOffset] = [dy!, x!, scale!, mean!, variance!, ...outs].map(view);
    if (rows > 0)
      native.batchNormTrainGrad(
        dyv!,
        xv!,
        y ? view(y) : null,
        rows,
        channels,
        sv!,
        mv!,
        vv!,
        epsilon,
        dx!,
        dScale!,
        dOffset!,
      );
    return outs;
  };
  return [
    { kernelName: BATCH_NORM_TRAIN, backendName: BACKEND, kernelFunc: forward },
    { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: BACKEND, kernelFunc: backward },
  ];
}

/** The kernels the native ones replaced, to put back when plain wasm is asked for again. */
let replaced: Map<string, KernelConfig> | undefined;

/**
 * Replaces the wasm backend's kernels with the native ones. Must run after the wasm backend is initialised: the
 * engine runs a kernel's setup (the stock ones bind their wasm functions there) only at initialisation, and
 * those kernels stay the fallback for what the native ones do not cover.
 */
export function registerNativeKernels(native: NativeKernels, threads: number): void {
  native.setThreads(threads);
  unregisterNativeKernels();
  // Recorded as each kernel is replaced, so a failure half-way can still be undone.
  const stock = new Map<string, KernelConfig>();
  replaced = stock;
  const fallback = (name: string): KernelFunc => stock.get(name)!.kernelFunc;
  for (const config of kernels(native, fallback)) {
    const existing = getKernel(config.kernelName, BACKEND);
    if (existing === undefined)
      throw new Error(`native kernels: wasm has no '${config.kernelName}' to fall back on`);
    stock.set(config.kernelName, existing);
    unregisterKernel(config.kernelName, BACKEND);
    registerKernel(config);
  }
  for (const config of [adamKernel(native), ...batchNormTrainKernels(native)]) registerKernel(config);
}

/** Whether the native kernels are registered on the wasm backend now. */
export const hasNativeKernels = (): boolean => replaced !== undefined;

/** Puts the replaced wasm kernels back (a no-op when the native ones are not registered). */
export function unregisterNativeKernels(): void {
  for (const name of [ADAM_KERNEL, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD])
    if (getKernel(name, BACKEND) !== undefined) unregisterKernel(name, BACKEND);
  for (const [name, config] of replaced ?? []) {
    unregisterKernel(name, BACKEND);
    registerKernel(config);
  }
  replaced = undefined;
}
