// The public API of @twinnet/core, safe for browsers: nothing here imports a Node built-in or a native package.
// Node's extras (tfjs-node and native kernels, file I/O) are in '@twinnet/core/node'. Everything not exported
// here is private to the package.
// The folders each have a door of their own (@twinnet/core/train, /model, /eval, /match, /schemas).

export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  describeBackend,
  type InitBackendOptions,
} from './backend/info.ts';
export { initBackend } from './backend/select.ts';
export { DATASET_NAMES, type DatasetSpec, datasetSpec } from './datasets.ts';
export * from './eval/index.ts';
export { gatherImages, IMAGE_SIZE, PIXELS } from './images.ts';
export { fetchIo, type ResourceIo } from './io/resource.ts';
export * from './match/index.ts';
export * from './model/index.ts';
export { createRng, type Rng, range, shuffleInPlace } from './random.ts';
export { checkNumber, describeRange, type NumberRange } from './ranges.ts';
export { Registry } from './registry.ts';
export * from './schemas/index.ts';
export * from './train/index.ts';
