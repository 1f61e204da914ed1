import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/** Errors the file system gives on the next writeFile, by path suffix; the real one otherwise. */
const failures = new Map<string, string>();
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    writeFile: (path: string, ...rest: unknown[]) => {
      const code = [...failures].find(([suffix]) => path.includes(suffix))?.[1];
      if (code) return Promise.reject(Object.assign(new Error(`${code}: simulated`), { code }));
      return (fs.writeFile as (...args: unknown[]) => Promise<void>)(path, ...rest);
    },
  };
});

const { nodeIo } = await import('../src/io/node-io.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinnet-node-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nodeIo', () => {
  it('writes and reads local files, and names a missing one', async () => {
    const file = join(dir, 'a.json');
    await nodeIo.writeText(file, '{"x":1}');
    expect(await nodeIo.readText(file)).toBe('{"x":1}');
    expect(await readFile(file, 'utf8')).toBe('{"x":1}');
    await expect(nodeIo.readBytes(join(dir, 'gone.json'))).rejects.toThrow(
      /gone\.json: cannot be read \(no such file\)/,
    );
  });

  it('names the file and the fix when the disk is read-only or full, and leaves no temporary file', async () => {
    for (const [code, fix] of [
      ['EROFS', 'read-only file system: write it to a writable location instead'],
      ['ENOSPC', 'no space left on the device: free some space or write it to another disk'],
      ['EACCES', 'permission denied: write it to a folder you may write to'],
    ] as const) {
      const file = join(dir, `supports-${code}.json`);
      failures.set(`supports-${code}`, code);
      await expect(nodeIo.writeText(file, '{}')).rejects.toThrow(`${file}: cannot be written (${fix})`);
    }
    failures.clear();
    await expect(nodeIo.writeText(join(dir, 'no-such-folder', 's.json'), '{}')).rejects.toThrow(
      /no-such-folder\/s\.json: cannot be written \(no such folder: create the folder first\)/,
    );
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
