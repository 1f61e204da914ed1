import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { DecodedImage } from '@twinnet/core';
import { decodeImage } from './decode.ts';

/** A file or folder that could not be used; the run goes on without it. */
export interface Problem {
  path: string;
  message: string;
}

export interface ImageFile {
  path: string;
  /** Relative to the folder given on the command line (the file name for a single file). */
  name: string;
  image: DecodedImage;
}

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

async function readImage(path: string, name: string): Promise<ImageFile | Problem> {
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
    return { path, name, image: decodeImage(bytes) };
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
      const result = await readImage(filePath, relative(dir, filePath));
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

/** A single image file, or every file under a folder (recursively, in name order). */
export async function readQueries(target: string): Promise<{ queries: ImageFile[]; problems: Problem[] }> {
  let isDir: boolean;
  try {
    isDir = (await stat(target)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${target}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}`,
    );
  }
  const queries: ImageFile[] = [];
  const problems: Problem[] = [];
  const add = async (path: string, name: string) => {
    const result = await readImage(path, name);
    if ('image' in result) queries.push(result);
    else problems.push(result);
  };
  if (!isDir) {
    await add(target, basename(target));
    return { queries, problems };
  }
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await entries(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else await add(path, relative(target, path));
    }
  };
  await walk(target);
  if (queries.length === 0 && problems.length === 0) throw new InputError(`${target}: no files to match`);
  return { queries, problems };
}
