import { verifyChecksum } from './checksums.ts';
import { DatasetError } from './errors.ts';
import { inflate } from './gzip.ts';
import { type IdxImages, type IdxLabels, parseIdx } from './idx.ts';
import { locateFiles, type SourceFile, type SourceOptions } from './sources.ts';
import { type DatasetName, type DatasetSpec, datasetSpec, FILE_ROLES, type FileRole } from './specs.ts';
import type { Split } from './split.ts';

export type Dataset = {
  name: DatasetName;
  /** Index = label value (the same array as spec.classNames). */
  classNames: readonly string[];
  /** Everything else known about the dataset: title, image size, framing, sources. */
  spec: DatasetSpec;
  train: Split;
  test: Split;
};

export type LoadOptions = SourceOptions;

/**
 * Loads, validates and checksum-verifies one dataset. Not memoised: Splits are mutable typed arrays,
 * and sharing them between callers would let one caller's in-place edit corrupt another's data.
 * Throws a TypeError naming the known datasets for an unknown `name`.
 */
export async function loadDataset(name: DatasetName, options: LoadOptions = {}): Promise<Dataset> {
  const spec = datasetSpec(name);
  const sources = await locateFiles(spec, options);
  try {
    const { train, test } = await readSplits(spec, sources);
    return { name, classNames: spec.classNames, spec, train, test };
  } catch (error) {
    // The checks know what is wrong; the source knows how to repair it (reinstall, delete, replace).
    const source =
      error instanceof DatasetError && FILE_ROLES.find((role) => sources[role].path === error.file);
    if (source) throw (error as DatasetError).withFix(sources[source].fix);
    throw error;
  }
}

async function readSplits(
  spec: DatasetSpec,
  sources: Record<FileRole, SourceFile>,
): Promise<{ train: Split; test: Split }> {
  // Inflate all four concurrently: zlib runs on the thread pool, and gunzip dominates load time.
  const contents = await Promise.all(
    FILE_ROLES.map((role) => inflate(sources[role].bytes, sources[role].path)),
  );
  const content = Object.fromEntries(FILE_ROLES.map((role, i) => [role, contents[i]!])) as Record<
    FileRole,
    Uint8Array
  >;
  const path = (role: FileRole) => sources[role].path;
  const images = (role: FileRole) => expectImages(spec, parseIdx(content[role], path(role)), path(role));
  const labels = (role: FileRole) => expectLabels(spec, parseIdx(content[role], path(role)), path(role));

  const train = toSplit(
    images('trainImages'),
    labels('trainLabels'),
    path('trainImages'),
    path('trainLabels'),
  );
  const test = toSplit(images('testImages'), labels('testLabels'), path('testImages'), path('testLabels'));
  // Last, so structurally broken files get a precise message rather than just "hash mismatch".
  for (const role of FILE_ROLES) verifyChecksum(content[role], path(role), spec.files[role].sha256);
  return { train, test };
}

function expectImages(spec: DatasetSpec, idx: ReturnType<typeof parseIdx>, file: string): IdxImages {
  if (idx.kind !== 'images')
    throw new DatasetError(file, 'expected an images file (magic 2051), got labels (2049)');
  const { rows, cols } = spec.image;
  if (idx.rows !== rows || idx.cols !== cols) {
    throw new DatasetError(file, `bad dims: expected ${rows}×${cols} images, got ${idx.rows}×${idx.cols}`);
  }
  return idx;
}

function expectLabels(spec: DatasetSpec, idx: ReturnType<typeof parseIdx>, file: string): IdxLabels {
  if (idx.kind !== 'labels')
    throw new DatasetError(file, 'expected a labels file (magic 2049), got images (2051)');
  const classes = spec.classNames.length;
  const bad = idx.data.findIndex((label) => label >= classes);
  if (bad !== -1) {
    throw new DatasetError(file, `label ${idx.data[bad]} at index ${bad} is out of range 0..${classes - 1}`);
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
  return {
    images: images.data,
    labels: labels.data,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
  };
}
