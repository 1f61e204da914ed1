// Picks the TensorFlow.js backend: native libtensorflow (tfjs-node) when it
// loads, otherwise wasm, with twinnet's native kernels under Node when they are
// built; cpu only on request (it is orders of magnitude slower).
// The same module runs in the browser gallery, so nothing Node-only may be
// imported statically.
import * as tf from '@tensorflow/tfjs';
import { registerWasmBatchMatMul } from './batch-mat-mul.ts';
import { registerWasmConv2DBackpropFilter } from './conv2d-backprop-filter.ts';
import { registerWasmConv2DBackpropInput } from './conv2d-backprop-input.ts';
import { registerNativeKernels, unregisterNativeKernels } from './native-kernels.ts';
import { registerWasmNoCopyKernels } from './no-copy.ts';

/** 'native' is wasm with the native kernels of @twinnet/native (Node only); 'wasm' is wasm alone. */
export const BACKEND_NAMES = ['auto', 'tfjs-node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The tfjs backend actually active ('tensorflow' is what tfjs-node registers). */
  name: 'tensorflow' | 'wasm' | 'cpu';
  requested: BackendName;
  simd: boolean;
  /** Worker threads of the backend (with native kernels, their GEMM's); for 'tensorflow' the CPUs libtensorflow may use. */
  threads: number;
  /** The native kernels in use on wasm (their GEMM and instruction set), if any. */
  native?: string;
  /** Why a preferred backend was skipped (e.g. tfjs-node not installed). */
  fallbackReason?: string;
}

export interface InitBackendOptions {
  /** Where the chosen backend is reported; defaults to stderr under Node, console.info in browsers. */
  log?: (msg: string) => void;
  /** Browser only: location of the tfjs-backend-wasm .wasm files (prefix or file map), see setWasmPaths. */
  wasmPaths?: string | Record<string, string>;
  /** Threads of the native kernels' GEMMs (default 1, like the wasm backend under Node). */
  nativeThreads?: number;
}

const isNode = (): boolean => typeof process !== 'undefined' && Boolean(process.versions?.node);

// console.error keeps stdout clean for CLI output; in the browser console.error
// would trip dev overlays, so use info there.
const defaultLog = (msg: string): void => (isNode() ? console.error(msg) : console.info(msg));

const oneLine = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  const trimmed = first.trim();
  return trimmed.length > 200 ? `${trimmed.slice(0, 197)}...` : trimmed;
};

const TFJS_NODE_HELP =
  'Install it with network access: `pnpm add @tensorflow/tfjs-node` (it downloads libtensorflow in its ' +
  'install script, so the build must be allowed: `pnpm approve-builds` or list it in onlyBuiltDependencies), ' +
  'then `pnpm rebuild @tensorflow/tfjs-node`. Or use the wasm backend instead.';

/** Loads tfjs-node and activates its 'tensorflow' backend; throws with a one-line reason. */
async function loadTfjsNode(): Promise<void> {
  if (!isNode()) throw new Error('tfjs-node only runs under Node.js');
  // A variable specifier plus the ignore hints keep webpack/vite from trying to
  // bundle (or failing to resolve) the native addon for the browser build.
  const specifier = '@tensorflow/tfjs-node';
  try {
    await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
  } catch (err) {
    throw new Error(oneLine(err));
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    // tfjs-node registered itself on a different copy of @tensorflow/tfjs.
    throw new Error(
      "tfjs-node loaded but its 'tensorflow' backend is not visible (duplicate @tensorflow/tfjs?)",
    );
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') failed");
  await tf.ready();
}

async function nodeCpuCount(): Promise<number> {
  const specifier = 'node:os';
  const os = (await import(
    /* webpackIgnore: true */ /* @vite-ignore */ specifier
  )) as typeof import('node:os');
  return os.availableParallelism();
}

async function loadWasm(
  wasmPaths: InitBackendOptions['wasmPaths'],
): Promise<{ simd: boolean; threads: number }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The threaded build does not start under Node as shipped (its worker is
  // loaded from a blob: URL); the flag exists once the package is imported.
  if (isNode()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
  // Native kernels from an earlier initialisation go first: the wasm kernels below keep what they find
  // registered as their fallback, which must be wasm's own.
  unregisterNativeKernels();
  registerWasmConv2DBackpropFilter();
  // These replace stock kernels, so they must come after the import above registered those.
  registerWasmConv2DBackpropInput();
  registerWasmBatchMatMul();
  registerWasmNoCopyKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed (see the warning above)");
  await tf.ready();
  return { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: wasm.getThreadsCount() };
}

/**
 * Registers @twinnet/native's kernels on the initialised wasm backend; throws with the reason they are not there
 * (not Node, not built, failed to load). The specifier is a variable so browser bundlers leave it alone.
 */
async function loadNative(threads: number): Promise<{ native: string; threads: number }> {
  if (!isNode()) throw new Error('native kernels only run under Node.js');
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`native threads must be a whole number from 1, got ${threads}`);
  }
  const specifier = '@twinnet/native';
  const { loadNativeKernels } = (await import(
    /* webpackIgnore: true */ /* @vite-ignore */ specifier
  )) as typeof import('@twinnet/native');
  const loaded = loadNativeKernels();
  if (!loaded.ok) throw new Error(loaded.reason);
  registerNativeKernels(loaded.kernels, threads);
  return { native: loaded.kernels.describe(), threads };
}

async function resolveBackend(requested: BackendName, opts: InitBackendOptions): Promise<BackendInfo> {
  const { wasmPaths, nativeThreads = 1 } = opts;
  switch (requested) {
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
      await tf.ready();
      return { name: 'cpu', requested, simd: false, threads: 1 };
    case 'wasm':
      return { name: 'wasm', requested, ...(await loadWasm(wasmPaths)) };
    case 'native': {
      const wasm = await loadWasm(wasmPaths);
      try {
        return { name: 'wasm', requested, ...wasm, ...(await loadNative(nativeThreads)) };
      } catch (err) {
        throw new Error(`Backend 'native' was requested but cannot be used: ${oneLine(err)}`);
      }
    }
    case 'tfjs-node':
      try {
        await loadTfjsNode();
      } catch (err) {
        throw new Error(
          `Backend 'tfjs-node' was requested but cannot be loaded: ${oneLine(err)}. ${TFJS_NODE_HELP}`,
        );
      }
      return { name: 'tensorflow', requested, simd: false, threads: await nodeCpuCount() };
    case 'auto': {
      let fallbackReason: string;
      try {
        await loadTfjsNode();
        return { name: 'tensorflow', requested, simd: false, threads: await nodeCpuCount() };
      } catch (err) {
        fallbackReason = `tfjs-node not available: ${oneLine(err)}`;
      }
      let wasm: { simd: boolean; threads: number };
      try {
        wasm = await loadWasm(wasmPaths);
      } catch (err) {
        throw new Error(
          `No usable backend (${fallbackReason}; wasm failed: ${oneLine(err)}). Request 'cpu' explicitly.`,
        );
      }
      if (!isNode()) return { name: 'wasm', requested, ...wasm, fallbackReason };
      try {
        return { name: 'wasm', requested, ...wasm, ...(await loadNative(nativeThreads)), fallbackReason };
      } catch (err) {
        unregisterNativeKernels();
        return { name: 'wasm', requested, ...wasm, fallbackReason: `${fallbackReason}; ${oneLine(err)}` };
      }
    }
    default:
      throw new Error(`Unknown backend '${String(requested)}'; expected ${BACKEND_NAMES.join(' | ')}`);
  }
}

function describe(info: BackendInfo): string {
  const details: string[] = [];
  if (info.name === 'wasm') {
    if (info.native !== undefined) details.push(`native kernels: ${info.native}`);
    details.push(`${info.simd ? 'simd' : 'no simd'}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  } else if (info.name === 'tensorflow') {
    details.push('tfjs-node, native libtensorflow');
  } else {
    details.push('pure JS, slow');
  }
  if (info.fallbackReason !== undefined) details.push(info.fallbackReason);
  return `[twinnet] backend: ${info.name} (${details.join('; ')})`;
}

// Process-wide, like tf's own backend state; holding the promise lets concurrent calls share one init.
let current: { requested: BackendName; info: Promise<BackendInfo> } | undefined;

/**
 * Selects and initialises the tfjs backend. Repeating the same request is free
 * and silent; the choice is logged once, when a call actually (re)initialises.
 */
export async function initBackend(
  requested: BackendName = 'auto',
  opts?: InitBackendOptions,
): Promise<BackendInfo> {
  if (current?.requested === requested) {
    const prev = current.info;
    const info = await prev.catch(() => undefined);
    // Still valid unless someone switched backends behind our back.
    if (info !== undefined && tf.getBackend() === info.name) return info;
    if (info === undefined && current.info === prev) return prev; // surface the same failure
  }
  const info = resolveBackend(requested, opts ?? {});
  current = { requested, info };
  const resolved = await info;
  (opts?.log ?? defaultLog)(describe(resolved));
  return resolved;
}
