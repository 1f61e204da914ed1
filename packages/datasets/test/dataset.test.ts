import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, datasetSpec, loadDataset } from '../src/index.ts';
import { dirWith, idxImages, idxLabels, isolated, syntheticFiles } from './helpers.ts';

describe('loadDataset validation (synthetic files via the dir option)', () => {
  it('rejects an images/labels count mismatch, naming both files', async () => {
    const dir = await dirWith({ ...syntheticFiles(), 'train-labels-idx1-ubyte': idxLabels([1, 2, 3, 4]) });
    const error = await loadDataset('mnist', { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    const message = (error as DatasetError).message;
    expect(message).toContain('count mismatch');
    expect(message).toContain(`${join(dir, 'train-images-idx3-ubyte')} has 5 images`);
    expect(message).toContain(`${join(dir, 'train-labels-idx1-ubyte')} has 4 labels`);
  });

  it('rejects files whose checksum does not match, naming file, expected and actual hash', async () => {
    const dir = await dirWith(syntheticFiles());
    const error = (await loadDataset('fashion-mnist', { ...(await isolated()), dir }).catch(
      (e) => e,
    )) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.file).toBe(join(dir, 'train-images-idx3-ubyte'));
    expect(error.message).toContain('SHA-256 mismatch');
    expect(error.message).toContain(`expected ${datasetSpec('fashion-mnist').files.trainImages.sha256}`);
    expect(error.message).toMatch(/got [0-9a-f]{64}\nFix: /);
  });

  it('accepts .gz names and reports the gz path', async () => {
    const files = syntheticFiles();
    const gz = Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [`${name}.gz`, gzipSync(bytes)]),
    );
    const dir = await dirWith(gz);
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(
      `${join(dir, 'train-images-idx3-ubyte.gz')}: SHA-256`,
    );
  });

  it('rejects label values >= 10', async () => {
    const dir = await dirWith({ ...syntheticFiles(), 't10k-labels-idx1-ubyte': idxLabels([0, 10, 2]) });
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(
      /t10k-labels-idx1-ubyte: label 10 at index 1/,
    );
  });

  it('rejects images that are not 28×28', async () => {
    const dir = await dirWith({ ...syntheticFiles(), 't10k-images-idx3-ubyte': idxImages(3, 28, 27) });
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(
      /t10k-images-idx3-ubyte: bad dims.*28×28.*28×27/,
    );
  });

  it('rejects a labels file where images are expected', async () => {
    const dir = await dirWith({ ...syntheticFiles(), 'train-images-idx3-ubyte': idxLabels([1, 2, 3, 4, 5]) });
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(/expected an images file/);
  });

  it('rejects unknown dataset names from untyped callers', async () => {
    await expect(loadDataset('cifar' as never)).rejects.toThrow(TypeError);
  });
});
