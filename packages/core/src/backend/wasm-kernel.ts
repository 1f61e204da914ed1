// Plumbing shared by the kernels twinnet registers for the wasm backend.
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

export const BACKEND = 'wasm';

export type KernelBackendArg = Parameters<KernelFunc>[0]['backend'];

/** The parts of tfjs-backend-wasm's BackendWasm we use (all public methods). */
export interface WasmBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /** A view on the wasm heap; invalidated by any later allocation (the heap may grow). */
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * Runs another wasm kernel directly on TensorInfos. Outputs are owned by the caller and never registered with
 * the engine, so they must be freed with backend.disposeData — but only those: inputs belong to whoever passed
 * them in. `caller` names the kernel asking, for error messages.
 */
export function runWasmKernel(
  caller: string,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  backend: KernelBackendArg,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, BACKEND);
  if (kernel === undefined) throw new Error(`${caller}: wasm kernel '${kernelName}' is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`${caller}: kernel '${kernelName}' returned multiple outputs`);
  return out;
}
