// Picks the TensorFlow.js backend under Node: native libtensorflow (tfjs-node) when it loads, otherwise wasm
// with twinnet's native kernels when they are built, otherwise wasm alone; cpu only on request.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels, NativeLoad } from '@twinnet/native';
import { BACKEND_NAMES, type BackendInfo, type InitBackendOptions, oneLine } from './info.ts';
import { hasNativeKernels, registerNativeKernels, unregisterNativeKernels } from './native-kernels.ts';
import { initBackendWith, type Resolver } from './select.ts';
import { loadCpu, loadWasm } from './wasm.ts';

const TFJS_NODE_HELP =
  'Install it with network access: `pnpm add @tensorflow/tfjs-node` (it downloads libtensorflow in its ' +
  'install script, so the build must be allowed: `pnpm approve-builds` or list it in onlyBuiltDependencies), ' +
  'then `pnpm rebuild @tensorflow/tfjs-node`. Or use the wasm backend instead.';

/** Loads tfjs-node and activates its 'tensorflow' backend; throws with a one-line reason. */
async function loadTfjsNode(): Promise<void> {
  // An optional dependency that may be absent: a variable specifier keeps TypeScript from requiring it.
  const specifier = '@tensorflow/tfjs-node';
  try {
    await import(specifier);
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

/** The native kernels registered by the last initBackend of this thread, if any (for setNativeThreads). */
let active: NativeKernels | undefined;

const checkThreads = (threads: number) => {
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`native threads must be a whole number from 1, got ${threads}`);
  }
};

/**
 * @twinnet/native's loader. The package is an optional dependency (a consumer's install may have skipped it, or
 * it may not have built), so it is imported when first needed rather than with this module.
 */
async function nativeLoader(): Promise<() => NativeLoad> {
  try {
    return (await import('@twinnet/native')).loadNativeKernels;
  } catch (err) {
    return () => ({ ok: false, reason: `@twinnet/native is not installed (${oneLine(err)})` });
  }
}

/** Registers @twinnet/native's kernels on the initialised wasm backend; throws with the reason they are not there. */
async function loadNative(threads: number): Promise<{ native: string; threads: number }> {
  checkThreads(threads);
  const loaded = (await nativeLoader())();
  if (!loaded.ok) throw new Error(loaded.reason);
  registerNativeKernels(loaded.kernels, threads);
  active = loaded.kernels;
  return { native: loaded.kernels.describe(), threads };
}

/**
 * Gives this thread's native kernels another thread count from the next kernel on (a run left alone takes the
 * cores the others used). Their results do not depend on it. Returns false where no native kernels are in use.
 */
export function setNativeThreads(threads: number): boolean {
  checkThreads(threads);
  if (active === undefined || tf.getBackend() !== 'wasm' || !hasNativeKernels()) return false;
  active.setThreads(threads);
  return true;
}

const wasm = (paths: InitBackendOptions['wasmPaths']) => loadWasm(paths, true, unregisterNativeKernels);
const tensorflow = (requested: BackendInfo['requested']): BackendInfo => ({
  name: 'tensorflow',
  requested,
  simd: false,
  threads: availableParallelism(),
});

/** 'auto': tfjs-node, else wasm with the native kernels, else wasm alone, each fallback's reason kept. */
async function resolveAuto(opts: InitBackendOptions): Promise<BackendInfo> {
  let fallbackReason: string;
  try {
    await loadTfjsNode();
    return tensorflow('auto');
  } catch (err) {
    fallbackReason = `tfjs-node not available: ${oneLine(err)}`;
  }
  let base: { simd: boolean; threads: number };
  try {
    base = await wasm(opts.wasmPaths);
  } catch (err) {
    throw new Error(
      `No usable backend (${fallbackReason}; wasm failed: ${oneLine(err)}). Request 'cpu' explicitly.`,
    );
  }
  try {
    return {
      name: 'wasm',
      requested: 'auto',
      ...base,
      ...(await loadNative(opts.nativeThreads ?? 1)),
      fallbackReason,
    };
  } catch (err) {
    unregisterNativeKernels();
    return { name: 'wasm', requested: 'auto', ...base, fallbackReason: `${fallbackReason}; ${oneLine(err)}` };
  }
}

const resolveNode: Resolver = async (requested, opts) => {
  switch (requested) {
    case 'cpu':
      await loadCpu();
      return { name: 'cpu', requested, simd: false, threads: 1 };
    case 'wasm':
      return { name: 'wasm', requested, ...(await wasm(opts.wasmPaths)) };
    case 'native': {
      const base = await wasm(opts.wasmPaths);
      try {
        return { name: 'wasm', requested, ...base, ...(await loadNative(opts.nativeThreads ?? 1)) };
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
      return tensorflow(requested);
    case 'auto':
      return resolveAuto(opts);
    default:
      throw new Error(`Unknown backend '${String(requested)}'; expected ${BACKEND_NAMES.join(' | ')}`);
  }
};

/**
 * Selects and initialises the backend under Node. Repeating the same request is free and silent; the choice is
 * logged once (to stderr, keeping stdout clean for CLI output), when a call actually (re)initialises.
 */
export function initBackend(
  requested: BackendInfo['requested'] = 'auto',
  opts?: InitBackendOptions,
): Promise<BackendInfo> {
  return initBackendWith(resolveNode, requested, opts, (msg) => console.error(msg));
}
