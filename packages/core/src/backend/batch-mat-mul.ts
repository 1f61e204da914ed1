// BatchMatMul for the wasm backend: the stock kernel runs on XNNPACK only when
// neither operand is transposed (and the batch is 1); with transposeA or
// transposeB it falls back to a scalar triple loop, ~50× slower. Those are
// exactly the two products of a Dense layer's backward pass (dx = dy·Wᵀ,
// dW = xᵀ·dy): on the deep tower at batch 128 they took ~50 ms per step, more
// than the layer's forward and backward otherwise cost together. We transpose
// the flagged operands with wasm's Transpose kernel and hand the stock kernel
// the plain product. Everything else goes to the stock kernel unchanged.
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  Transpose,
  unregisterKernel,
  util,
} from '@tensorflow/tfjs';
import { BACKEND, runWasmKernel, type WasmBackend } from './wasm-kernel.ts';

const NAME = 'BatchMatMul (wasm)';

/** The stock kernel we wrap; set when ours is registered. */
let stockKernel: KernelConfig | undefined;

const batchMatMulWasm: KernelFunc = (args) => {
  const stock = stockKernel;
  if (stock === undefined) throw new Error(`${NAME}: the stock wasm BatchMatMul kernel was not found`);
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (
    a === undefined ||
    b === undefined ||
    (!transposeA && !transposeB) ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    a.shape.length < 2 ||
    b.shape.length < 2 ||
    // XNNPACK handles a single product only; batched ones stay on the stock loop either way.
    util.sizeFromShape(a.shape.slice(0, -2)) !== 1 ||
    util.sizeFromShape(b.shape.slice(0, -2)) !== 1
  ) {
    return stock.kernelFunc(args);
  }

  const run = (kernelName: string, x: TensorInfo, kernelAttrs: object): TensorInfo =>
    runWasmKernel(NAME, kernelName, { x }, backend, kernelAttrs as never);
  /** The operand as a plain matrix: transposed by wasm's Transpose, keeping its leading 1-sized dims. */
  const transposed = (t: TensorInfo): TensorInfo => {
    const r = t.shape.length;
    const out = run(
      Transpose,
      { dataId: t.dataId, shape: t.shape.slice(-2), dtype: t.dtype },
      { perm: [1, 0] },
    );
    return {
      dataId: out.dataId,
      shape: [...t.shape.slice(0, -2), t.shape[r - 1]!, t.shape[r - 2]!],
      dtype: t.dtype,
    };
  };

  /** A copy with data of its own (wasm's Identity shares the data, and so the id XNNPACK caches by). */
  const copy = (t: TensorInfo): TensorInfo => {
    const wasm = backend as unknown as WasmBackend;
    const out = wasm.makeOutput([...t.shape], 'float32');
    wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(t));
    return out;
  };

  const owned: TensorInfo[] = [];
  try {
    const a2 = transposeA ? transposed(a) : a;
    if (a2 !== a) owned.push(a2);
    // XNNPACK packs the right operand and caches that by its tensor id alone (not shape or contents) until
    // the tensor is freed. Give it an operand of ours, freed below, so products the stock kernel would
    // never have sent to XNNPACK leave no cache entry on a caller's tensor.
    const b2 = transposeB ? transposed(b) : copy(b);
    owned.push(b2);
    return stock.kernelFunc({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
  } finally {
    for (const t of owned) (backend as unknown as WasmBackend).disposeData(t.dataId);
  }
};

/**
 * Wraps the stock kernel. Must run after `@tensorflow/tfjs-backend-wasm` is imported (its import registers
 * the stock kernel); safe to call repeatedly and before or after the wasm backend initialises.
 */
export function registerWasmBatchMatMul(): void {
  const existing = getKernel(BatchMatMul, BACKEND);
  if (existing === undefined || existing.kernelFunc === batchMatMulWasm) return;
  unregisterKernel(BatchMatMul, BACKEND);
  stockKernel = existing;
  const config: KernelConfig = { kernelName: BatchMatMul, backendName: BACKEND, kernelFunc: batchMatMulWasm };
  // The stock kernel's setup binds its C++ entry point, which our fallback and final product still use.
  if (existing.setupFunc !== undefined) config.setupFunc = existing.setupFunc;
  if (existing.disposeFunc !== undefined) config.disposeFunc = existing.disposeFunc;
  registerKernel(config);
}
