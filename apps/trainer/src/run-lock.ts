// One trainer per run: an exclusive lock file beside the run folder, holding its holder's pid, so a second
// trainer on the same run is refused with the holder named instead of silently overwriting the first one's work.
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeWriteError, processAlive, processStartTime } from '@twinnet/core/node';

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's start time (Linux clock ticks since boot), so a reused pid is not taken for the holder. */
  processStart?: string;
  since: string;
  command: string;
}

/** Refused: another trainer holds the run. */
export class RunLockedError extends Error {
  override name = 'RunLockedError';
}

export const lockPath = (outDir: string, run: string) => join(outDir, `.${run}.lock`);

/**
 * Takes the run's lock, or throws RunLockedError naming the holder. A lock whose holder no longer runs (on this
 * machine: its pid is gone, or belongs to a process started later) is stale and taken over. Returns the release.
 */
export async function lockRun(outDir: string, run: string): Promise<() => Promise<void>> {
  const path = lockPath(outDir, run);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    ...(processStartTime(process.pid) ? { processStart: processStartTime(process.pid)! } : {}),
    since: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
  // Written whole under a private name, then linked into place: link fails if the lock exists, atomically.
  const draft = `${path}.draft-${process.pid}`;
  await writeFile(draft, `${JSON.stringify(me)}\n`).catch((error: unknown) => {
    throw describeWriteError(path, error);
  });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await link(draft, path).then(() => true, ignoreExists)) return () => rm(path, { force: true });
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released between the two calls: try again
      const holder = parseHolder(text);
      if (holder && !isStale(holder)) throw new RunLockedError(describeHolder(run, path, holder));
      if (!holder)
        throw new RunLockedError(
          `${run}: ${path} is not a trainer's lock file; if no trainer is running on ${run}, delete it`,
        );
      await takeOverStale(path, text);
    }
    throw new RunLockedError(`${run}: could not take ${path}: other trainers keep taking it`);
  } finally {
    await unlink(draft).catch(() => {});
  }
}

function ignoreExists(error: NodeJS.ErrnoException): false {
  if (error.code === 'EEXIST') return false;
  throw error;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as LockHolder;
    return Number.isInteger(value.pid) && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** On this machine, a holder is gone when its pid is, or when that pid now belongs to a later process. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (!processAlive(holder.pid)) return true;
  const started = processStartTime(holder.pid);
  return holder.processStart !== undefined && started !== undefined && started !== holder.processStart;
}

function describeHolder(run: string, path: string, holder: LockHolder): string {
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return (
    `${run}: another trainer is writing this run: pid ${holder.pid}${where}, since ${holder.since} ` +
    `(${holder.command}). Wait for it, stop it, or train into another --out; the lock is ${path}`
  );
}

/**
 * Moves the stale lock aside under a private name and removes it only if it is the one found stale: two
 * trainers finding the same stale lock cannot both remove a lock the other has just taken.
 */
async function takeOverStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}`;
  if (
    !(await rename(path, aside).then(
      () => true,
      () => false,
    ))
  )
    return;
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  // Not the stale one: another trainer took the lock meanwhile; give it back.
  if (moved !== staleText) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}
