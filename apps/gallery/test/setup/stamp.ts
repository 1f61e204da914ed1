// Stamps of build inputs (paths, sizes, modification times), so a cached fixture or site is rebuilt exactly when
// something it was made from changed.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO } from './paths.ts';

/** A hash of every file under `roots` (files or directories, missing ones skipped) and of `extra`. */
export async function inputsStamp(roots: readonly string[], extra = ''): Promise<string> {
  const hash = createHash('sha256').update(`${extra}\n`);
  for (const root of roots) {
    for (const file of await listFiles(root)) {
      const info = await stat(file);
      hash.update(`${relative(REPO, file)}\0${info.size}\0${info.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
