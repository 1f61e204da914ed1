export { DATASET_NAMES, type DatasetName } from './catalog.ts';
export { type Dataset, type LoadOptions, loadDataset } from './dataset.ts';
export type { Fetcher } from './download.ts';
export { DatasetError } from './errors.ts';
export { type Idx, type IdxImages, type IdxLabels, parseIdx } from './idx.ts';
export { type Env, FASHION_MNIST_URL, type SourceOptions } from './sources.ts';
export { type Split, selectClasses, subset, validationSplit } from './split.ts';
