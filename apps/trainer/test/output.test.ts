import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { lockPath } from '../src/run-lock.ts';

/** The smallest whole run of the contrastive preset: the point is what happens around training. */
const TINY = [
  ...['--dataset', 'mnist', '--variant', 'contrastive', '--epochs', '1', '--train-size', '300'],
  ...['--pairs-per-epoch', '64', '--batch-size', '32', '--validation-pairs', '50', '--test-pairs', '50'],
  ...['--episodes', '5', '--embed-points', '20', '--backend', 'wasm', '--jobs', '1'],
];
const RUN = 'mnist-contrastive';

let scratch: string;
let deadPid: number;
let holder: ChildProcess;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-output-'));
  deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
  holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
});
afterAll(async () => {
  holder.kill();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the trainer's main in-process; what it printed, and its exit code. */
async function train(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await main([...TINY, ...args]);
    const text = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join('\n');
    return { code, stdout: text(out), stderr: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    write.mockRestore();
  }
}

/** A folder no one may write in, root included: immutable for root (chattr), read-only mode otherwise. */
function makeReadOnly(dir: string, on: boolean): void {
  const isRoot = process.getuid?.() === 0;
  const result = isRoot
    ? spawnSync('chattr', [on ? '+i' : '-i', dir])
    : spawnSync('chmod', [on ? '555' : '755', dir]);
  if (result.status !== 0) throw new Error(`cannot make ${dir} read-only: ${result.stderr}`);
}

describe('the output folder', () => {
  it('is checked writable before any data is loaded: a read-only --out and a path through a file', async () => {
    const readOnly = join(scratch, 'read-only');
    await mkdir(readOnly);
    makeReadOnly(readOnly, true);
    let refused: Awaited<ReturnType<typeof train>>;
    try {
      refused = await train(['--out', readOnly]);
    } finally {
      makeReadOnly(readOnly, false);
    }
    expect(refused.stderr).toMatch(
      new RegExp(
        `^trainer: --out: ${readOnly}: cannot be written \\((operation not permitted|permission denied)`,
      ),
    );
    expect(refused.stderr).toMatch(/nothing was trained \(checked before loading any data\)$/);
    // Nothing was started: no run line, no epoch.
    expect(refused.stdout).toBe('');
    expect(refused.code).toBe(1);

    const file = join(scratch, 'a-file');
    await writeFile(file, 'not a folder');
    const throughFile = await train(['--out', join(file, 'runs')]);
    expect(throughFile.stderr).toBe(
      `trainer: --out: ${join(file, 'runs')}: cannot be written (part of the path is a file, not a folder); ` +
        'nothing was trained (checked before loading any data)',
    );
    expect(throughFile.stdout).toBe('');
    expect(throughFile.code).toBe(1);
  });

  it('is locked per run: a second trainer is refused with the holder named', async () => {
    const out = await mkdtemp(join(scratch, 'locked-'));
    const lock = {
      pid: holder.pid,
      host: hostname(),
      since: '2026-12-07T10:00:00.000Z',
      command: 'src/cli.ts',
    };
    await writeFile(lockPath(out, RUN), JSON.stringify(lock));
    const second = await train(['--out', out]);
    expect(second.stderr).toBe(
      `trainer: ${RUN}: another trainer is writing this run: pid ${holder.pid}, since ${lock.since} (src/cli.ts). ` +
        `Wait for it, stop it, or train into another --out; the lock is ${lockPath(out, RUN)}`,
    );
    expect(second.stdout).toBe('');
    expect(second.code).toBe(1);
    expect((await readdir(out)).sort()).toEqual(['.checkpoints', `.${RUN}.lock`]);
  });

  it('takes over a stale lock and removes what killed trainers left, then trains and releases the lock', async () => {
    const out = await mkdtemp(join(scratch, 'stale-'));
    await writeFile(
      lockPath(out, RUN),
      JSON.stringify({ pid: deadPid, host: hostname(), since: '2026-12-07T09:00:00.000Z', command: 'x' }),
    );
    // What a kill -9 during the final folder swap leaves: a hidden 4 MB copy of the run.
    const partial = join(out, `.${RUN}.partial-${deadPid}`);
    await mkdir(partial);
    await writeFile(join(partial, 'embeddings.f32'), Buffer.alloc(4 << 20));
    const checkpointPartial = join(out, '.checkpoints', `.${RUN}.partial-${deadPid}`);
    await mkdir(checkpointPartial, { recursive: true });
    const { code, stderr } = await train(['--out', out]);
    expect(stderr).toContain(
      `trainer: ${partial}: removed, left by process ${deadPid}, which no longer runs`,
    );
    expect(stderr).toContain(`trainer: ${checkpointPartial}: removed, left by process ${deadPid}`);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['.checkpoints', RUN]);
    expect(await readdir(join(out, '.checkpoints'))).toEqual([RUN]);
  });
});
