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

/** The backend in a few words, as metrics.json, the bench and the trainer's summary record it. */
export function describeBackend(info: BackendInfo): string {
  if (info.name !== 'wasm') return info.name;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return info.native !== undefined
    ? `wasm + native kernels (${info.native}, ${threads})`
    : `wasm (${info.simd ? 'simd' : 'no simd'}, ${threads})`;
}

/** The start-up line: the backend, its details and why a preferred one was skipped. */
export function startupLine(info: BackendInfo): string {
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

/** The first non-empty line of an error, at most 200 characters. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  const trimmed = first.trim();
  return trimmed.length > 200 ? `${trimmed.slice(0, 197)}...` : trimmed;
}
