// Before any data is loaded: every folder a run will write is checked writable, each run is locked against a
// second trainer, and what a killed trainer left beside the runs is tidied.
import { unlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWriteError, recoverReplaceDirectory } from '@twinnet/core/node';
import { lockPath, lockRun } from './run-lock.ts';

/** The output cannot be used: nothing was trained. */
export class OutputError extends Error {
  override name = 'OutputError';
}

export interface ClaimedOutput {
  /** Releases the runs' locks (also done, synchronously, if the process exits first). */
  release: () => Promise<void>;
}

/** The folders a run writes under `outDir`: the run folders beside each other, the checkpoints under one. */
const checkpointsRoot = (outDir: string) => join(outDir, '.checkpoints');

/**
 * Claims `outDir` for `runs`: checks it and its checkpoint folder can be written (creating them), locks each
 * run (RunLockedError names another holder), and recovers the leftovers of killed trainers, logging each.
 */
export async function claimOutput(
  outDir: string,
  runs: readonly string[],
  log: (line: string) => void,
): Promise<ClaimedOutput> {
  for (const dir of [outDir, checkpointsRoot(outDir)]) await checkWritable(dir);
  const releases: (() => Promise<void>)[] = [];
  const onExit = () => {
    for (const run of runs) {
      try {
        unlinkSync(lockPath(outDir, run));
      } catch {}
    }
  };
  const release = async () => {
    process.off('exit', onExit);
    await Promise.all(releases.map((r) => r()));
  };
  try {
    for (const run of runs) releases.push(await lockRun(outDir, run));
  } catch (error) {
    await release();
    throw error;
  }
  process.on('exit', onExit);
  for (const run of runs) {
    for (const dir of [
      join(outDir, run),
      ...['', '.selection', '.refit'].map((s) => join(checkpointsRoot(outDir), run + s)),
    ])
      for (const line of await recoverReplaceDirectory(dir)) log(line);
  }
  return { release };
}

/** Creates `dir` if need be and writes (then removes) a file in it: what the run will do, found out first. */
async function checkWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new OutputError(
      `--out: ${describeWriteError(dir, error).message}; nothing was trained (checked before loading any data)`,
    );
  }
}
