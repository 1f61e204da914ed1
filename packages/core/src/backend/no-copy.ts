// Identity, and Cast to the dtype a tensor already has, for the wasm backend without the copy. The stock kernels
// copy the whole tensor. The engine runs Identity once for every tensor a gradient keeps (its clones for the
// backward pass: about a hundred a training step on the small tower, activations included), and tfjs's pooling
// ops cast their float32 result to float32. Tensors are immutable, so the result can share the data and count
// one more reference to it, as tfjs's cpu backend does (and wasm's own Reshape).
import {
  Cast,
  type CastAttrs,
  getKernel,
  Identity,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from '@tensorflow/tfjs';
import { BACKEND, type KernelBackendArg } from './wasm-kernel.ts';

/** The stock kernels, for what sharing does not cover (strings, casts that change the dtype). */
const stockKernels = new Map<string, KernelConfig>();

function share(x: TensorInfo, backend: KernelBackendArg): TensorInfo {
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const identityWasm: KernelFunc = (args) => {
  const { x } = args.inputs;
  if (x === undefined || x.dtype === 'string') return stockKernels.get(Identity)!.kernelFunc(args);
  return share(x, args.backend);
};

const castWasm: KernelFunc = (args) => {
  const { x } = args.inputs;
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x === undefined || x.dtype === 'string' || x.dtype !== dtype)
    return stockKernels.get(Cast)!.kernelFunc(args);
  return share(x, args.backend);
};

/**
 * Replaces the stock kernels. Must run after `@tensorflow/tfjs-backend-wasm` is imported (its import registers
 * them); safe to call repeatedly.
 */
export function registerWasmNoCopyKernels(): void {
  for (const [name, kernelFunc] of [
    [Identity, identityWasm],
    [Cast, castWasm],
  ] as const) {
    const existing = getKernel(name, BACKEND);
    if (existing === undefined || existing.kernelFunc === kernelFunc) continue;
    unregisterKernel(name, BACKEND);
    stockKernels.set(name, existing);
    // The stock Cast binds a wasm function in its setup, which the dtype-changing casts still use.
    const config: KernelConfig = { kernelName: name, backendName: BACKEND, kernelFunc };
    if (existing.setupFunc !== undefined) config.setupFunc = existing.setupFunc;
    if (existing.disposeFunc !== undefined) config.disposeFunc = existing.disposeFunc;
    registerKernel(config);
  }
}
