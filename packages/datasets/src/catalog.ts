/** Static facts about the supported datasets: names, canonical file names, class names. */

export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Canonical IDX file names (decompressed form), identical for MNIST and Fashion-MNIST. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type FileRole = keyof typeof IDX_FILES;
export type IdxFileName = (typeof IDX_FILES)[FileRole];
export const FILE_ROLES = Object.keys(IDX_FILES) as readonly FileRole[];

export const CLASS_NAMES: Readonly<Record<DatasetName, readonly string[]>> = {
  mnist: Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
  'fashion-mnist': Object.freeze([
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ]),
};

export function isDatasetName(value: unknown): value is DatasetName {
  return (DATASET_NAMES as readonly unknown[]).includes(value);
}
