// Identity for the wasm backend without the copy. The stock kernel copies the whole tensor, and the engine runs
// Identity once for every tensor a gradient keeps (its clones for the backward pass): about a hundred copies a
// training step on the small tower, activations included. Tensors are immutable, so the clone can share the
// data and count one more reference to it, as tfjs's cpu backend does (and wasm's own Reshape).
import {
  getKernel,
  Identity,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs';
import { BACKEND } from './wasm-kernel.ts';

/** The stock kernel, for what sharing does not cover (string tensors); set when ours is registered. */
let stockKernel: KernelConfig | undefined;

const identityWasm: KernelFunc = (args) => {
  const { x } = args.inputs;
  if (x === undefined) throw new Error('Identity (wasm): no input');
  if (x.dtype === 'string') return stockKernel!.kernelFunc(args);
  (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/**
 * Replaces the stock kernel. Must run after `@tensorflow/tfjs-backend-wasm` is imported (its import registers
 * the stock kernel); safe to call repeatedly.
 */
export function registerWasmIdentity(): void {
  const existing = getKernel(Identity, BACKEND);
  if (existing === undefined || existing.kernelFunc === identityWasm) return;
  unregisterKernel(Identity, BACKEND);
  stockKernel = existing;
  registerKernel({ kernelName: Identity, backendName: BACKEND, kernelFunc: identityWasm });
}
