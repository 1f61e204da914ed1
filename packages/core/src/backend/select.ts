// Picks the TensorFlow.js backend in the browser: wasm (XNNPACK, SIMD) with twinnet's training kernels, or cpu
// on request. Under Node, '@twinnet/core/node' exports an initBackend that adds tfjs-node and the native
// kernels; both share the process-wide record of what was initialised, kept here.
import * as tf from '@tensorflow/tfjs';
import { type BackendInfo, type BackendName, type InitBackendOptions, startupLine } from './info.ts';
import { loadCpu, loadWasm } from './wasm.ts';

export type Resolver = (requested: BackendName, opts: InitBackendOptions) => Promise<BackendInfo>;

// Process-wide, like tf's own backend state; holding the promise lets concurrent calls share one init.
let current: { requested: BackendName; info: Promise<BackendInfo> } | undefined;

/** Initialises a backend through `resolve`; repeating the same request is free and silent. */
export async function initBackendWith(
  resolve: Resolver,
  requested: BackendName,
  opts: InitBackendOptions = {},
  defaultLog: (msg: string) => void = console.info,
): Promise<BackendInfo> {
  if (current?.requested === requested) {
    const prev = current.info;
    const info = await prev.catch(() => undefined);
    // Still valid unless someone switched backends behind our back.
    if (info !== undefined && tf.getBackend() === info.name) return info;
    if (info === undefined && current.info === prev) return prev; // surface the same failure
  }
  const info = resolve(requested, opts);
  current = { requested, info };
  const resolved = await info;
  (opts.log ?? defaultLog)(startupLine(resolved));
  return resolved;
}

const resolveBrowser: Resolver = async (requested, { wasmPaths }) => {
  switch (requested) {
    case 'cpu':
      await loadCpu();
      return { name: 'cpu', requested, simd: false, threads: 1 };
    case 'wasm':
    case 'auto':
      return { name: 'wasm', requested, ...(await loadWasm(wasmPaths, false)) };
    default:
      throw new Error(
        `backend '${requested}' needs Node.js: import initBackend from '@twinnet/core/node' there; in a browser use 'wasm' or 'cpu'`,
      );
  }
};

/**
 * Selects and initialises the backend in a browser (or any JS runtime without Node's extras): 'auto' and 'wasm'
 * give wasm, 'cpu' the pure-JS backend. The choice is logged once, when a call actually (re)initialises.
 */
export function initBackend(
  requested: BackendName = 'auto',
  opts?: InitBackendOptions,
): Promise<BackendInfo> {
  return initBackendWith(resolveBrowser, requested, opts);
}
