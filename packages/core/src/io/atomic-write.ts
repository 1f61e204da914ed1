// Writing a file so that readers see the old content or the new, never half of it, and failing with a message
// that names the file and what to do. Node only.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive.ts';

/** What to do about the file system errors a user can fix; the rest are reported by their code. */
const FIXES: Record<string, string> = {
  EROFS: 'read-only file system: write it to a writable location instead',
  ENOSPC: 'no space left on the device: free some space or write it to another disk',
  EDQUOT: 'disk quota exceeded: free some space or write it to another disk',
  EACCES: 'permission denied: write it to a folder you may write to',
  EPERM: 'operation not permitted: write it to a folder you may write to',
  ENOENT: 'no such folder: create the folder first',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'that is a folder: give a file name',
};

/** A one-line reason for a failed write, naming the file and, where there is one, the fix. */
export function describeWriteError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code && FIXES[code]) ?? code ?? (error as Error).message;
  return new Error(`${path}: cannot be written (${reason})`);
}

/**
 * Writes via a temporary name beside the file and a rename. The folder is created first unless `createFolder` is
 * false (a user's own path, where a missing folder is more likely a typo than a wish).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { createFolder = true } = {},
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    if (createFolder) await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw describeWriteError(path, error);
  }
}

type SwapTag = 'partial' | 'old';

/** The hidden folders replaceDirectory keeps beside `dir` while it works, tagged with the writer's pid. */
const swapPath = (dir: string, tag: SwapTag, pid: number) =>
  join(dirname(dir), `.${basename(dir)}.${tag}-${pid}`);

/**
 * Replaces a folder whole: `write` fills a hidden temporary folder beside it, which then takes the folder's place
 * by rename. A failure leaves the previous folder as it was and removes the temporary one; readers never see a
 * mix of old and new files. Errors of the file system name the folder and the fix.
 */
export async function replaceDirectory(dir: string, write: (temp: string) => Promise<void>): Promise<void> {
  const hidden = (tag: SwapTag) => swapPath(dir, tag, process.pid);
  const temp = hidden('partial');
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true }).catch((error: unknown) => {
    throw describeWriteError(temp, error);
  });
  try {
    await write(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  const old = hidden('old');
  await rename(dir, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw describeWriteError(dir, error);
  });
  await rename(temp, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * Tidies what a replaceDirectory killed by a signal (kill -9) left beside `dir`, for writers that no longer run:
 * a `.partial` folder alone is removed (the previous folder is intact); killed between its two renames, the
 * `.old` folder is there and `dir` is not, and the `.partial` one is complete (write had returned), so the swap
 * is finished; a lone `.old` one is removed, or put back when `dir` is missing. Returns one line per action.
 */
export async function recoverReplaceDirectory(
  dir: string,
  alive: (pid: number) => boolean = processAlive,
): Promise<string[]> {
  const prefix = `.${basename(dir)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(dir));
  } catch {
    return [];
  }
  const byPid = new Map<number, Set<SwapTag>>();
  for (const name of names) {
    const found = name.startsWith(prefix) ? /^(partial|old)-(\d+)$/.exec(name.slice(prefix.length)) : null;
    const pid = Number(found?.[2]);
    if (!found || pid === process.pid || alive(pid)) continue;
    byPid.set(pid, (byPid.get(pid) ?? new Set()).add(found[1] as SwapTag));
  }
  const done: string[] = [];
  for (const [pid, tags] of [...byPid].sort(([a], [b]) => a - b)) {
    const [partial, old] = [swapPath(dir, 'partial', pid), swapPath(dir, 'old', pid)];
    const missing = await access(dir).then(
      () => false,
      () => true,
    );
    if (tags.has('old') && missing) {
      await rename(tags.has('partial') ? partial : old, dir);
      done.push(
        tags.has('partial')
          ? `${dir}: finished the replacement that process ${pid} was making when it was killed`
          : `${dir}: put back the previous folder that process ${pid} had moved aside`,
      );
    }
    for (const tag of tags) {
      const path = swapPath(dir, tag, pid);
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      ) {
        await rm(path, { recursive: true, force: true });
        done.push(`${path}: removed, left by process ${pid}, which no longer runs`);
      }
    }
  }
  return done;
}
