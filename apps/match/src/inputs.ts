import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** A file or folder that could not be used; the run goes on without it. */
export interface Problem {
  path: string;
  message: string;
}

export interface InputFile {
  path: string;
  /** Relative to the folder given on the command line (the file name for a single file). */
  name: string;
}

export interface ImageFile extends InputFile {
  /** What `prepare` made of the file's bytes: the 784 dataset-form bytes, not the decoded picture. */
  image: Uint8Array;
}

/** Decodes and checks one file's bytes, or throws a one-line reason (the caller adds the path). */
export type Prepare = (bytes: Uint8Array) => Uint8Array;

export interface SupportClass {
  label: string;
  images: ImageFile[];
}

/** Hidden files (.DS_Store, editor swap files) are not inputs. */
const isHidden = (name: string) => name.startsWith('.');

/** A fatal input error: nothing sensible can be matched. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Reads and prepares one file; a failure becomes a problem naming the file. */
export async function readImage({ path, name }: InputFile, prepare: Prepare): Promise<ImageFile | Problem> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return {
      path,
      message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  return prepareImage({ path, name }, bytes, prepare);
}

/** Prepares one file's bytes; a refusal becomes a problem naming the file. */
export function prepareImage(file: InputFile, bytes: Uint8Array, prepare: Prepare): ImageFile | Problem {
  try {
    return { ...file, image: prepare(bytes) };
  } catch (error) {
    return { path: file.path, message: describeFailure(error) };
  }
}

/**
 * A refusal in its own words: decoding and preprocessing refuse with plain Errors (and PngError). Anything else
 * (a TypeError or RangeError from inside a library) is a bug, not a verdict on the file, and says so.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.constructor === Error || error.name === 'PngError'))
    return error.message;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error while reading it (${what}); please report it with this file`;
}

/** A folder entry with symbolic links followed (a support set is often assembled from links). */
type Entry = { name: string; path: string; kind: 'folder' | 'file' } | { name: string; problem: Problem };

/** The visible entries of `dir` in name order, each link resolved to what it points at. */
async function entries(dir: string): Promise<Entry[]> {
  let listed: Dirent[];
  try {
    listed = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : `cannot be read (${code})`}`,
    );
  }
  const visible = listed.filter((e) => !isHidden(e.name)).sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(visible.map((e) => resolveEntry(dir, e)));
}

async function resolveEntry(dir: string, entry: Dirent): Promise<Entry> {
  const path = join(dir, entry.name);
  if (!entry.isSymbolicLink())
    return { name: entry.name, path, kind: entry.isDirectory() ? 'folder' : 'file' };
  try {
    return { name: entry.name, path, kind: (await stat(path)).isDirectory() ? 'folder' : 'file' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'broken symbolic link (its target does not exist)'
        : code === 'ELOOP'
          ? 'symbolic link loop; ignored'
          : `symbolic link cannot be followed (${code})`;
    return { name: entry.name, problem: { path, message } };
  }
}

/**
 * One class per sub-folder of `dir` (or link to a folder), named after it, with the PNG and JPEG files (or links
 * to them) directly inside. Bad files, stray files, empty folders and labels that differ only in case become
 * problems; the classes that still have images are kept.
 */
export async function readSupportFolder(
  dir: string,
  prepare: Prepare,
): Promise<{ classes: SupportClass[]; problems: Problem[] }> {
  const classes: SupportClass[] = [];
  const problems: Problem[] = [];
  for (const entry of await entries(dir)) {
    if ('problem' in entry) {
      problems.push(entry.problem);
      continue;
    }
    if (entry.kind !== 'folder') {
      problems.push({
        path: entry.path,
        message: 'not inside a class folder (put each class in its own sub-folder); ignored',
      });
      continue;
    }
    const found = await readClass(dir, entry.path, prepare, problems);
    if (found.length > 0) classes.push({ label: entry.name, images: found });
  }
  const kept = refuseCaseTwins(dir, classes, problems);
  if (kept.length === 0 && problems.length === 0) {
    throw new InputError(
      `${dir}: no class folders (expected one sub-folder per class, each with a few PNG or JPEG files)`,
    );
  }
  return { classes: kept, problems };
}

/** The usable images of one class folder; the rest join `problems`. */
async function readClass(
  dir: string,
  path: string,
  prepare: Prepare,
  problems: Problem[],
): Promise<ImageFile[]> {
  const images: ImageFile[] = [];
  const files = await entries(path);
  for (const file of files) {
    if ('problem' in file) problems.push(file.problem);
    else if (file.kind === 'folder')
      problems.push({ path: file.path, message: 'folder inside a class folder; ignored' });
    else {
      const result = await readImage({ path: file.path, name: relative(dir, file.path) }, prepare);
      if ('image' in result) images.push(result);
      else problems.push(result);
    }
  }
  if (images.length === 0)
    problems.push({
      path,
      message:
        files.length === 0
          ? 'empty class folder: no images'
          : 'class folder has no usable images; class skipped',
    });
  return images;
}

/** How labels compare for "the same class": case and Unicode composition do not tell classes apart. */
export const labelKey = (label: string) => label.normalize('NFC').toLowerCase();

/**
 * `seven` and `Seven` would silently be two classes: both are refused, each problem naming the other folder,
 * since only the user knows whether they are one class or two.
 */
function refuseCaseTwins(dir: string, classes: SupportClass[], problems: Problem[]): SupportClass[] {
  const byKey = new Map<string, SupportClass[]>();
  for (const c of classes) byKey.set(labelKey(c.label), [...(byKey.get(labelKey(c.label)) ?? []), c]);
  const kept: SupportClass[] = [];
  for (const c of classes) {
    const twins = byKey.get(labelKey(c.label))!;
    if (twins.length === 1) {
      kept.push(c);
      continue;
    }
    const labels = twins.map((t) => `'${t.label}'`);
    problems.push({
      path: join(dir, c.label),
      message:
        `labels ${labels.slice(0, -1).join(', ')} and ${labels.at(-1)} differ only in case: one class or two? ` +
        `Rename one folder or merge them; both skipped (${twins.map((t) => join(dir, t.label)).join(', ')})`,
    });
  }
  return kept;
}

/**
 * A single image file, or every file under a folder (recursively, in name order, following symbolic links):
 * only their names, so the caller can read them a batch at a time. Each folder is searched once, so a link
 * back up the tree ends the walk there, as a problem.
 */
export async function listQueries(target: string): Promise<{ files: InputFile[]; problems: Problem[] }> {
  let isDir: boolean;
  try {
    isDir = (await stat(target)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${target}: ${code === 'ENOENT' ? 'no such file or folder' : code === 'ELOOP' ? 'symbolic link loop' : `cannot be read (${code})`}`,
    );
  }
  if (!isDir) return { files: [{ path: target, name: basename(target) }], problems: [] };
  const files: InputFile[] = [];
  const problems: Problem[] = [];
  const searched = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (searched.has(real)) {
      problems.push({
        path: dir,
        message: `symbolic link to ${real}, a folder already searched; not searched again`,
      });
      return;
    }
    searched.add(real);
    for (const entry of await entries(dir)) {
      if ('problem' in entry) problems.push(entry.problem);
      else if (entry.kind === 'folder') await walk(entry.path);
      else files.push({ path: entry.path, name: relative(target, entry.path) });
    }
  };
  await walk(target);
  if (files.length === 0 && problems.length === 0) throw new InputError(`${target}: no files to match`);
  return { files, problems };
}
