// The optional native kernels, loaded at run time. Under Node only: the browser never imports this package.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A convolution's or pooling's shape, in this order: batch, in height, in width, in channels, out height,
 * out width, out channels, kernel height, kernel width, stride height, stride width, dilation height,
 * dilation width, top padding, left padding.
 */
export type Geometry = readonly number[];

/** Activation fused into conv2d. */
export const ACTIVATION = { linear: 0, relu: 1 } as const;

/**
 * The addon's functions. Arrays are NHWC activations and [kh, kw, in, out] filters, written in place; they are
 * usually views of the wasm backend's heap, so nothing is copied.
 */
export interface NativeKernels {
  conv2d(
    g: Geometry,
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    activation: number,
    y: Float32Array,
  ): void;
  conv2dBackpropInput(g: Geometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  conv2dBackpropFilter(g: Geometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /** The geometry of a pool: out channels equal in channels, the kernel is the window. */
  avgPoolGrad(g: Geometry, dy: Float32Array, dx: Float32Array): void;
  tanh(x: Float32Array, y: Float32Array, size: number): void;
  /** Max pooling's gradient: each window's dy goes to its first largest x (row-major window order). */
  maxPoolGrad(g: Geometry, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * Batch normalisation in training over rows of `channels` floats: y = relu?((x − mean) · scale / √(variance + ε)
   * + offset) with the batch's own mean and biased variance, which are written out too.
   */
  batchNormTrain(
    x: Float32Array,
    rows: number,
    channels: number,
    scale: Float32Array,
    offset: Float32Array,
    epsilon: number,
    relu: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /** batchNormTrain's gradients for x, scale and offset; y (the forward output) where relu masked it, else null. */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    y: Float32Array | null,
    rows: number,
    channels: number,
    scale: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
    dx: Float32Array,
    dScale: Float32Array,
    dOffset: Float32Array,
  ): void;
  /** 2×2 average pooling, stride 2, no padding, of an NHWC batch: y is [batch, ⌊inH/2⌋, ⌊inW/2⌋, channels]. */
  avgPool2x2(
    x: Float32Array,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    y: Float32Array,
  ): void;
  /** (x − mean) · scale / √(variance + ε) + offset over rows of `channels` floats, parameters per channel. */
  batchNorm(
    x: Float32Array,
    rows: number,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array,
    scale: Float32Array,
    epsilon: number,
    out: Float32Array,
  ): void;
  /** Repeats x (of `shape`) `reps[d]` times along each axis d. */
  tile(x: Float32Array, shape: number[], reps: number[], out: Float32Array): void;
  /** Sum (mean: divided by `reduce`) over the middle axis of [outer, reduce, inner]. */
  reduce(
    x: Float32Array,
    outer: number,
    reduce: number,
    inner: number,
    mean: number,
    out: Float32Array,
  ): void;
  /** One Adam step; coefficients as KernelAdam passes them (packages/core/src/train/optimizers/adam-kernel.ts). */
  adam(
    x: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    size: number,
    coefficients: number[],
    xOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
  ): void;
  /** Threads of the GEMMs issued from the calling thread (each worker thread sets its own). */
  setThreads(n: number): void;
  /** The CPU features the addon's code needs and this CPU has. */
  isa(): Isa;
  /** Runs the kernels on a route (throws if this CPU cannot); the loader picks the fastest one it can. */
  useRoute(route: string): void;
  /** The GEMM library and the route the kernels run on, e.g. "oneDNN 2.6.3 sgemm, avx512". */
  describe(): string;
}

/**
 * The addon's start-up code is compiled for the baseline x86-64 and its kernels once more per route (instruction
 * set), fastest first. Features are named as GCC's __builtin_cpu_supports names them.
 */
export interface Isa {
  /** What the code that always runs (start-up, argument checks, the baseline route) was compiled for. */
  required: string[];
  /** Each route and what it needs beyond `required`. */
  routes: { name: string; needs: string[] }[];
  /** The features above that this CPU has. */
  cpu: string[];
}

export type NativeLoad = { ok: true; kernels: NativeKernels } | { ok: false; reason: string };

const builtPath = fileURLToPath(new URL('../build/Release/twinnet_native.node', import.meta.url));
const errorPath = fileURLToPath(new URL('../build/error.txt', import.meta.url));

/**
 * Picks the route: TWINNET_NATIVE_ISA names one (default auto, the fastest this CPU runs), and
 * TWINNET_NATIVE_HIDE (comma-separated feature names, for tests) makes the CPU seem to lack some features.
 * Returns the route's name, or why none can run.
 */
export function chooseRoute(
  isa: Isa,
  env: NodeJS.ProcessEnv = process.env,
): { route: string } | { reason: string } {
  const hidden = new Set((env.TWINNET_NATIVE_HIDE ?? '').split(',').map((f) => f.trim()));
  const has = (feature: string) => isa.cpu.includes(feature) && !hidden.has(feature);
  const lacking = (features: string[]) => features.filter((f) => !has(f)).join(', ');
  if (lacking(isa.required) !== '')
    return {
      reason: `the addon was built for ${isa.required.join(', ')}; this CPU lacks ${lacking(isa.required)}`,
    };
  const requested = env.TWINNET_NATIVE_ISA || 'auto';
  if (requested === 'auto') return { route: isa.routes.find((r) => lacking(r.needs) === '')!.name };
  const route = isa.routes.find((r) => r.name === requested);
  if (route === undefined) {
    const names = ['auto', ...isa.routes.map((r) => r.name)].join(', ');
    return { reason: `TWINNET_NATIVE_ISA=${requested} is none of ${names}` };
  }
  if (lacking(route.needs) !== '')
    return { reason: `TWINNET_NATIVE_ISA=${requested} needs ${lacking(route.needs)}, which this CPU lacks` };
  return { route: route.name };
}

/**
 * Loads the addon (TWINNET_NATIVE_ADDON may name another build of it, as the sanitizer run does) and sets its
 * route, or says in one line why it is not there: not built, build failed, failed to load, or this CPU lacks
 * what it needs.
 */
export function loadNativeKernels(): NativeLoad {
  if (process.env.TWINNET_NATIVE === 'off') return { ok: false, reason: 'disabled by TWINNET_NATIVE=off' };
  const addonPath = process.env.TWINNET_NATIVE_ADDON || builtPath;
  if (!existsSync(addonPath)) {
    const why = existsSync(errorPath) ? readFileSync(errorPath, 'utf8').split('\n')[0] : undefined;
    return {
      ok: false,
      reason: why
        ? `native kernels failed to build: ${why} (install a C++ compiler and oneDNN, e.g. apt-get install g++ libdnnl-dev, then pnpm --filter @twinnet/native build)`
        : 'native kernels not built (pnpm --filter @twinnet/native build)',
    };
  }
  try {
    const kernels = createRequire(import.meta.url)(addonPath) as NativeKernels;
    const choice = chooseRoute(kernels.isa());
    if ('reason' in choice)
      return { ok: false, reason: `native kernels: ${choice.reason}; falling back to plain wasm` };
    kernels.useRoute(choice.route);
    return { ok: true, kernels };
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { ok: false, reason: `native kernels failed to load: ${message}` };
  }
}
