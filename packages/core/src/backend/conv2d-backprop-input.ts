// Conv2DBackpropInput for the wasm backend, replacing the stock kernel. The stock
// one is a scalar C++ loop nest; on a 3×3 stride-2 128→512 layer at batch 128 it
// runs ~8× slower than the forward XNNPACK conv of the same size, and it was 70%
// of a training step of our deep tower. We re-express it as forward convolutions
// on wasm's XNNPACK Conv2D kernel.
//
// With pt the forward conv's top pad and s its stride, input row y receives
//
//   dx[y] = sum_{t} dy[q - t] · W[ρ + s·t]      where y + pt = s·q + ρ, 0 <= ρ < s
//
// (likewise along columns, and summed over output channels). Rows of the same
// phase ρ therefore see one fixed sub-filter W[ρ::s] (reversed), as a stride-1
// correlation over dy. So for each of the sh·sw phases we run one stride-1 conv
// of dy with that exact sub-filter, in/out channels swapped; none multiplies a
// structural zero (zero-insertion would waste ~s² of the work, and packing all
// phases into one conv's output channels still wastes ~(ceil(k/s)·s/k)²). The
// phase outputs are then interleaved into dx in one pass. For stride 1 there is
// a single phase: a 'full' correlation with the flipped filter whose output is
// dx itself, with no copy.
import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  Fill,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  Transpose,
  unregisterKernel,
} from '@tensorflow/tfjs';
import { BACKEND, runWasmKernel, type WasmBackend } from './wasm-kernel.ts';

const NAME = 'Conv2DBackpropInput (wasm)';

// The engine hands kernels the backend as `{}`; keep that type rather than widen it.

/** The stock kernel we replaced; still used for NCHW, which our path does not handle. */
let stockKernel: KernelConfig | undefined;

/** One stride phase along one spatial axis: the dx rows y with (y + pt) mod s = phase. */
interface AxisPhase {
  /** First dx index of this phase, and how many there are (every s-th from there). */
  first: number;
  count: number;
  /** Sub-filter length ceil((k - phase)/s); 0 when no filter tap reaches this phase (k < s). */
  taps: number;
  /** Filter index used by sub-filter tap u is phase + s·(taps - 1 - u). */
  phase: number;
  padBefore: number;
  padAfter: number;
  /** Leading rows of the sub-conv output to skip (only with pads beyond the kernel size). */
  skip: number;
  /** Length of the sub-conv output along this axis. */
  convSize: number;
}

function planAxis(inSize: number, outSize: number, k: number, s: number, pt: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < s; phase++) {
    const first = (((phase - pt) % s) + s) % s;
    if (first >= inSize) continue;
    const count = Math.ceil((inSize - first) / s);
    const taps = phase < k ? Math.ceil((k - phase) / s) : 0;
    // dx[first + s·m] needs dy rows q0 + m - t, t < taps; a stride-1 conv with
    // padBefore = taps - 1 - q0 lines its output row m up with exactly that.
    const q0 = (first + pt - phase) / s;
    let padBefore = taps - 1 - q0;
    let skip = 0;
    if (padBefore < 0) {
      skip = -padBefore;
      padBefore = 0;
    }
    const padAfter = Math.max(0, skip + count - outSize - padBefore + taps - 1);
    const convSize = outSize + padBefore + padAfter - taps + 1;
    phases.push({ first, count, taps, phase, padBefore, padAfter, skip, convSize });
  }
  return phases;
}

const conv2DBackpropInputWasm: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (dy === undefined || filter === undefined) throw new Error(`${NAME}: expected inputs dy and filter`);
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as Conv2DBackpropInputAttrs;
  const { dilations } = attrs as { dilations?: number | [number, number] };

  if (dataFormat === 'NCHW') {
    if (stockKernel !== undefined) return stockKernel.kernelFunc(args);
    throw new Error(`${NAME}: dataFormat 'NCHW' is not supported; use 'NHWC' (channels last)`);
  }
  if (dilations !== undefined && [dilations].flat().some((d) => d !== 1)) {
    throw new Error(`${NAME}: dilations other than 1 are not supported (got ${String(dilations)})`);
  }
  if (dy.shape.length !== 4 || filter.shape.length !== 4 || inputShape.length !== 4) {
    throw new Error(
      `${NAME}: expected rank-4 dy, filter and inputShape, got [${dy.shape}], [${filter.shape}], [${inputShape}]`,
    );
  }
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`${NAME}: expected float32 inputs, got ${dy.dtype} and ${filter.dtype}`);
  }

  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
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

  const dxShape = [batchSize, inHeight, inWidth, inChannels];
  if (dxShape.includes(0) || dy.shape.includes(0) || filter.shape.includes(0)) {
    return runWasmKernel(NAME, Fill, {}, backend, { shape: dxShape, value: 0, dtype: 'float32' });
  }

  const wasm = backend as unknown as WasmBackend;
  const rows = planAxis(inHeight, outHeight, kh, sh, padInfo.top);
  const cols = planAxis(inWidth, outWidth, kw, sw, padInfo.left);
  const hasEmptyPhase = rows.some((r) => r.taps === 0) || cols.some((c) => c.taps === 0);

  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    owned.push(t);
    return t;
  };
  try {
    // [kh, kw, Cout, Cin]: each tap's block is then the Cout→Cin matrix the sub-convs need.
    const filterT = keep(runWasmKernel(NAME, Transpose, { x: filter }, backend, { perm: [0, 1, 3, 2] }));
    const block = inChannels * outChannels;

    const parts: { r: AxisPhase; c: AxisPhase; z: TensorInfo }[] = [];
    for (const r of rows) {
      for (const c of cols) {
        if (r.taps === 0 || c.taps === 0) continue;
        const sub = keep(wasm.makeOutput([r.taps, c.taps, outChannels, inChannels], 'float32'));
        // Views only after the last allocation: makeOutput may grow (and detach) the heap.
        const src = wasm.typedArrayFromHeap(filterT);
        const dst = wasm.typedArrayFromHeap(sub);
        for (let u = 0; u < r.taps; u++) {
          const i = r.phase + sh * (r.taps - 1 - u);
          for (let v = 0; v < c.taps; v++) {
            const j = c.phase + sw * (c.taps - 1 - v);
            const from = (i * kw + j) * block;
            dst.set(src.subarray(from, from + block), (u * c.taps + v) * block);
          }
        }
        const z = keep(
          runWasmKernel(NAME, Conv2D, { x: dy, filter: sub }, backend, {
            strides: [1, 1],
            pad: [
              [0, 0],
              [r.padBefore, r.padAfter],
              [c.padBefore, c.padAfter],
              [0, 0],
            ],
            dataFormat: 'NHWC',
            dilations: [1, 1],
          }),
        );
        parts.push({ r, c, z });
      }
    }

    // Stride 1 with ordinary padding: the single conv's output already is dx.
    const only = parts.length === 1 && !hasEmptyPhase ? parts[0]! : undefined;
    if (
      only !== undefined &&
      only.r.skip === 0 &&
      only.c.skip === 0 &&
      only.r.convSize === inHeight &&
      only.c.convSize === inWidth &&
      only.r.count === inHeight &&
      only.c.count === inWidth
    ) {
      owned.splice(owned.indexOf(only.z), 1);
      return only.z;
    }

    const dx = wasm.makeOutput(dxShape, 'float32');
    try {
      const out = wasm.typedArrayFromHeap(dx);
      if (hasEmptyPhase) out.fill(0); // rows/cols no filter tap reaches get no gradient
      // One Float32Array over the whole heap, so each run of Cin values is a copyWithin (no allocation).
      const heap = new Float32Array(out.buffer);
      const dxBase = out.byteOffset >> 2;
      const rowStride = inWidth * inChannels;
      const imageStride = inHeight * rowStride;
      const step = sw * inChannels;
      for (const { r, c, z } of parts) {
        const zBase = wasm.typedArrayFromHeap(z).byteOffset >> 2;
        const zRowStride = c.convSize * inChannels;
        const zImageStride = r.convSize * zRowStride;
        for (let n = 0; n < batchSize; n++) {
          for (let m = 0; m < r.count; m++) {
            let to = dxBase + n * imageStride + (r.first + sh * m) * rowStride + c.first * inChannels;
            let from = zBase + n * zImageStride + (r.skip + m) * zRowStride + c.skip * inChannels;
            if (inChannels >= 16) {
              for (let l = 0; l < c.count; l++, to += step, from += inChannels) {
                heap.copyWithin(to, from, from + inChannels);
              }
            } else {
              for (let l = 0; l < c.count; l++, to += step, from += inChannels) {
                for (let ch = 0; ch < inChannels; ch++) heap[to + ch] = heap[from + ch]!;
              }
            }
          }
        }
      }
    } catch (err) {
      wasm.disposeData(dx.dataId);
      throw err;
    }
    return dx;
  } finally {
    for (const t of owned) wasm.disposeData(t.dataId);
  }
};

/**
 * Registers our kernel in place of the stock one. Must run after
 * `@tensorflow/tfjs-backend-wasm` is imported (its import registers the stock
 * kernel, which would otherwise replace ours with a warning); safe to call
 * repeatedly and before or after the wasm backend initialises.
 */
export function registerWasmConv2DBackpropInput(): void {
  const existing = getKernel(Conv2DBackpropInput, BACKEND);
  if (existing?.kernelFunc === conv2DBackpropInputWasm) return;
  // registerKernel over an existing entry only warns and overwrites; unregistering first keeps it quiet.
  if (existing !== undefined) unregisterKernel(Conv2DBackpropInput, BACKEND);
  stockKernel = existing;
  const config: KernelConfig = {
    kernelName: Conv2DBackpropInput,
    backendName: BACKEND,
    kernelFunc: conv2DBackpropInputWasm,
  };
  // The stock kernel's setup binds its C++ entry point; keep it so the NCHW fallback still works.
  if (existing?.setupFunc !== undefined) config.setupFunc = existing.setupFunc;
  if (existing?.disposeFunc !== undefined) config.disposeFunc = existing.disposeFunc;
  registerKernel(config);
}
