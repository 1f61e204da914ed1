import * as tf from '@tensorflow/tfjs';
import { registerWasmBatchMatMul } from './batch-mat-mul.ts';
import { registerWasmConv2DBackpropFilter } from './conv2d-backprop-filter.ts';
import { registerWasmConv2DBackpropInput } from './conv2d-backprop-input.ts';
import { registerWasmNoCopyKernels } from './no-copy.ts';

/**
 * Activates the wasm backend with the training kernels it lacks registered by twinnet. `beforeKernels` runs
 * first: under Node it clears native kernels from an earlier initialisation, since the wasm kernels registered
 * here keep what they find as their fallback, which must be wasm's own.
 */
export async function loadWasm(
  wasmPaths: string | Record<string, string> | undefined,
  underNode: boolean,
  beforeKernels?: () => void,
): Promise<{ simd: boolean; threads: number }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The threaded build does not start under Node as shipped (its worker is loaded from a blob: URL); the flag
  // exists once the package is imported.
  if (underNode) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
  beforeKernels?.();
  registerWasmConv2DBackpropFilter();
  // These replace stock kernels, so they must come after the import above registered those.
  registerWasmConv2DBackpropInput();
  registerWasmBatchMatMul();
  registerWasmNoCopyKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed (see the warning above)");
  await tf.ready();
  return { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: wasm.getThreadsCount() };
}

export async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
  await tf.ready();
}
