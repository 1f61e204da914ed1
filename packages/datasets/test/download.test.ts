import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadDataset } from '../src/index.ts';
import { isolated } from './helpers.ts';
import { fakeServer } from './server.ts';

const SYSTEM = '/usr/share/datasets/fashion-mnist';

/** isolated() with the real (HTTP) fetcher, downloading from `url`. */
async function fromServer(url: string, extra: object = {}) {
  const { fetch: _, ...options } = await isolated();
  return { ...options, downloadBaseUrl: url, ...extra };
}

describe('downloads: idle timeout', () => {
  it('gives up on a server that accepts but never answers, naming the URL, the period and the fix', async () => {
    const url = await fakeServer(() => {});
    const options = await fromServer(url, { downloadIdleTimeoutMs: 200 });
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(`${url}/train-images-idx3-ubyte.gz: download failed: no data for 0.2 s`);
    expect(error.message).toContain('downloadIdleTimeoutMs');
    expect(error.message).toMatch(/\nFix: .*apt-get install dataset-fashion-mnist/);
  }, 5000);

  it('gives up on a body that stalls half-way', async () => {
    const url = await fakeServer((_, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write(new Uint8Array(10));
    });
    const options = await fromServer(url, { downloadIdleTimeoutMs: 200 });
    await expect(loadDataset('fashion-mnist', options)).rejects.toThrow(/no data for 0\.2 s/);
  }, 5000);

  it('waits on a slow but steady body longer than the idle period', async () => {
    // Five bytes, 80 ms apart (400 ms in all), idle limit 200 ms: the wrong content must reach the checksum.
    const url = await fakeServer((_, response) => {
      let sent = 0;
      const timer = setInterval(() => {
        response.write(new Uint8Array([sent]));
        if (++sent === 5) {
          clearInterval(timer);
          response.end();
        }
      }, 80);
      response.on('close', () => clearInterval(timer));
    });
    const options = await fromServer(url, { downloadIdleTimeoutMs: 200 });
    const error = (await loadDataset('fashion-mnist', options).catch((e) => e)) as Error;
    expect(error.message).not.toContain('no data for');
    expect(error.message).toContain('SHA-256 mismatch');
  }, 5000);
});

describe('downloads: progress', () => {
  /** Serves the Debian copies, as the official host would. */
  const serveDebian = () =>
    fakeServer((request, response) => {
      readFile(join(SYSTEM, request.url!.slice(1))).then(
        (bytes) => response.writeHead(200, { 'content-length': bytes.length }).end(bytes),
        () => response.writeHead(404).end(),
      );
    });

  it('reports progress on stderr when it is a TTY', async () => {
    const written: string[] = [];
    const stderr = { isTTY: true, write: (text: string) => written.push(text) };
    await loadDataset('fashion-mnist', await fromServer(await serveDebian(), { stderr }));
    const text = written.join('');
    expect(text).toContain('Downloading Fashion-MNIST');
    expect(text).toMatch(/30\.9 of 30\.9 MB/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('stays quiet when stderr is not a TTY', async () => {
    const written: string[] = [];
    const stderr = { isTTY: false, write: (text: string) => written.push(text) };
    await loadDataset('fashion-mnist', await fromServer(await serveDebian(), { stderr }));
    expect(written).toEqual([]);
  });
});
