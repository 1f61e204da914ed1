import {
  CLASS_NAMES,
  DATASET_NAMES,
  type DatasetName,
  FILE_ROLES,
  type FileRole,
  IDX_FILES,
  isDatasetName,
} from './catalog.ts';
import { CHECKSUMS, verifyChecksum } from './checksums.ts';
import { DatasetError } from './errors.ts';
import { inflate } from './gzip.ts';
import { type IdxImages, type IdxLabels, parseIdx } from './idx.ts';
import { locateFiles, type SourceOptions } from './sources.ts';
import type { Split } from './split.ts';

export type Dataset = {
  name: DatasetName;
  /** Index = label value. */
  classNames: readonly string[];
  train: Split;
  test: Split;
};

export type LoadOptions = SourceOptions;

const SIZE = 28;
const CLASSES = 10;

/**
 * Loads, validates and checksum-verifies one dataset. Not memoised: Splits are mutable typed arrays,
 * and sharing them between callers would let one caller's in-place edit corrupt another's data.
 */
export async function loadDataset(name: DatasetName, options: LoadOptions = {}): Promise<Dataset> {
  if (!isDatasetName(name)) {
    throw new TypeError(
      `loadDataset: unknown dataset ${JSON.stringify(name)}; expected one of ${DATASET_NAMES.join(', ')}`,
    );
  }
  const sources = await locateFiles(name, options);
  // Inflate all four concurrently: zlib runs on the thread pool, and gunzip dominates load time.
  const contents = await Promise.all(
    FILE_ROLES.map((role) => inflate(sources[role].bytes, sources[role].path)),
  );
  const content = Object.fromEntries(FILE_ROLES.map((role, i) => [role, contents[i]!])) as Record<
    FileRole,
    Uint8Array
  >;
  const path = (role: FileRole) => sources[role].path;

  const train = toSplit(
    expectImages(parseIdx(content.trainImages, path('trainImages')), path('trainImages')),
    expectLabels(parseIdx(content.trainLabels, path('trainLabels')), path('trainLabels')),
    path('trainImages'),
    path('trainLabels'),
  );
  const test = toSplit(
    expectImages(parseIdx(content.testImages, path('testImages')), path('testImages')),
    expectLabels(parseIdx(content.testLabels, path('testLabels')), path('testLabels')),
    path('testImages'),
    path('testLabels'),
  );
  // Last, so structurally broken files get a precise message rather than just "hash mismatch".
  for (const role of FILE_ROLES) verifyChecksum(content[role], path(role), CHECKSUMS[name][IDX_FILES[role]]);

  return { name, classNames: CLASS_NAMES[name], train, test };
}

function expectImages(idx: ReturnType<typeof parseIdx>, file: string): IdxImages {
  if (idx.kind !== 'images')
    throw new DatasetError(file, 'expected an images file (magic 2051), got labels (2049)');
  if (idx.rows !== SIZE || idx.cols !== SIZE) {
    throw new DatasetError(file, `bad dims: expected ${SIZE}×${SIZE} images, got ${idx.rows}×${idx.cols}`);
  }
  return idx;
}

function expectLabels(idx: ReturnType<typeof parseIdx>, file: string): IdxLabels {
  if (idx.kind !== 'labels')
    throw new DatasetError(file, 'expected a labels file (magic 2049), got images (2051)');
  const bad = idx.data.findIndex((label) => label >= CLASSES);
  if (bad !== -1) {
    throw new DatasetError(file, `label ${idx.data[bad]} at index ${bad} is out of range 0..${CLASSES - 1}`);
  }
  return idx;
}

function toSplit(images: IdxImages, labels: IdxLabels, imagesFile: string, labelsFile: string): Split {
  if (images.count !== labels.count) {
    throw new DatasetError(
      imagesFile,
      `count mismatch: ${imagesFile} has ${images.count} images but ${labelsFile} has ${labels.count} labels`,
    );
  }
  return { images: images.data, labels: labels.data, count: images.count, rows: SIZE, cols: SIZE };
}
