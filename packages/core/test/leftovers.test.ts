import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverReplaceDirectory } from '../src/io/atomic-write.ts';
import { processAlive, processStartTime } from '../src/io/process-alive.ts';

let scratch: string;
/** The pid of a process that has exited: what a kill -9 leaves in a folder's name. */
let deadPid: number;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-leftovers-'));
  deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function folder(path: string, content: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'metrics.json'), content);
}

describe('processAlive', () => {
  it('tells a running process from one that has exited', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid)).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
  });
});

describe('recoverReplaceDirectory', () => {
  it('removes the temporary folder of a writer killed while writing, and keeps the run', async () => {
    const out = await mkdtemp(join(scratch, 'partial-'));
    await folder(join(out, 'RUN'), 'previous');
    await folder(join(out, `.RUN.partial-${deadPid}`), 'half');
    // A live writer's folder and another run's are not ours to touch.
    await folder(join(out, `.RUN.partial-${process.pid}`), 'mine');
    await folder(join(out, `.OTHER.partial-${deadPid}`), 'other');
    const done = await recoverReplaceDirectory(join(out, 'RUN'));
    expect(done).toEqual([
      `${join(out, `.RUN.partial-${deadPid}`)}: removed, left by process ${deadPid}, which no longer runs`,
    ]);
    expect((await readdir(out)).sort()).toEqual([
      `.OTHER.partial-${deadPid}`,
      `.RUN.partial-${process.pid}`,
      'RUN',
    ]);
    expect(await readFile(join(out, 'RUN', 'metrics.json'), 'utf8')).toBe('previous');
  });

  it('finishes a swap killed between its two renames, and puts back a lone previous folder', async () => {
    const out = await mkdtemp(join(scratch, 'swap-'));
    await folder(join(out, `.RUN.old-${deadPid}`), 'previous');
    await folder(join(out, `.RUN.partial-${deadPid}`), 'new');
    const done = await recoverReplaceDirectory(join(out, 'RUN'));
    expect(done[0]).toBe(
      `${join(out, 'RUN')}: finished the replacement that process ${deadPid} was making when it was killed`,
    );
    expect(await readdir(out)).toEqual(['RUN']);
    expect(await readFile(join(out, 'RUN', 'metrics.json'), 'utf8')).toBe('new');

    await rm(join(out, 'RUN'), { recursive: true });
    await folder(join(out, `.RUN.old-${deadPid}`), 'previous');
    await recoverReplaceDirectory(join(out, 'RUN'));
    expect(await readdir(out)).toEqual(['RUN']);
    expect(await readFile(join(out, 'RUN', 'metrics.json'), 'utf8')).toBe('previous');
    expect(await recoverReplaceDirectory(join(out, 'RUN'))).toEqual([]);
  });
});
