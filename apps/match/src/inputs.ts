import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
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
  try {
    return { path, name, image: prepare(bytes) };
  } catch (error) {
    return { path, message: (error as Error).message };
  }
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => !isHidden(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : `cannot be read (${code})`}`,
    );
  }
}

/**
 * One class per sub-folder of `dir`, named after it, with the PNG and JPEG files directly inside. Bad files,
 * stray files and empty folders become problems; the classes that still have images are kept.
 */
export async function readSupportFolder(
  dir: string,
  prepare: Prepare,
): Promise<{ classes: SupportClass[]; problems: Problem[] }> {
  const classes: SupportClass[] = [];
  const problems: Problem[] = [];
  for (const entry of await entries(dir)) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) {
      problems.push({
        path,
        message: 'not inside a class folder (put each class in its own sub-folder); ignored',
      });
      continue;
    }
    const images: ImageFile[] = [];
    const files = await entries(path);
    for (const file of files) {
      const filePath = join(path, file.name);
      if (file.isDirectory()) {
        problems.push({ path: filePath, message: 'folder inside a class folder; ignored' });
        continue;
      }
      const result = await readImage({ path: filePath, name: relative(dir, filePath) }, prepare);
      if ('image' in result) images.push(result);
      else problems.push(result);
    }
    if (images.length > 0) classes.push({ label: entry.name, images });
    else
      problems.push({
        path,
        message:
          files.length === 0
            ? 'empty class folder: no images'
            : 'class folder has no usable images; class skipped',
      });
  }
  if (classes.length === 0 && problems.length === 0) {
    throw new InputError(
      `${dir}: no class folders (expected one sub-folder per class, each with a few PNG or JPEG files)`,
    );
  }
  return { classes, problems };
}

/**
 * A single image file, or every file under a folder (recursively, in name order): only their names, so the
 * caller can read them a batch at a time.
 */
export async function listQueries(target: string): Promise<InputFile[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(target)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${target}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}`,
    );
  }
  if (!isDir) return [{ path: target, name: basename(target) }];
  const files: InputFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await entries(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push({ path, name: relative(target, path) });
    }
  };
  await walk(target);
  if (files.length === 0) throw new InputError(`${target}: no files to match`);
  return files;
}
