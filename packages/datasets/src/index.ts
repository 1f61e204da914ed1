export { type Dataset, type LoadOptions, loadDataset } from './dataset.ts';
export type { Fetcher } from './download.ts';
export { DatasetError } from './errors.ts';
export { type Idx, type IdxImages, type IdxLabels, parseIdx } from './idx.ts';
export { createRng, type Rng, range, shuffleInPlace } from './random.ts';
export type { Env, SourceOptions } from './sources.ts';
export {
  CLASS_NAMES,
  DATASET_NAMES,
  DATASETS,
  type DatasetFile,
  type DatasetName,
  type DatasetSources,
  type DatasetSpec,
  datasetSpec,
  FASHION_MNIST_URL,
  FILE_ROLES,
  type FileRole,
  isDatasetName,
} from './specs.ts';
export { type Split, selectClasses, subset, validationSplit } from './split.ts';
