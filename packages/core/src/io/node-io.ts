// Node's side of ResourceIo: local paths through node:fs, URLs through fetch. Only '@twinnet/core/node' reaches
// this module, so browser builds never see node:fs.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { fetchBytes, fetchIo, hasScheme, type ResourceIo } from './resource.ts';

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
function describeWriteError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code && FIXES[code]) ?? code ?? (error as Error).message;
  return new Error(`${path}: cannot be written (${reason})`);
}

async function readLocal(path: string): Promise<Uint8Array> {
  try {
    const data = await readFile(path);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`,
    );
  }
}

/** Writes via a temporary name and a rename, so a reader never sees half a file. */
async function writeLocal(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw describeWriteError(path, error);
  }
}

const readBytes = (location: string) => (hasScheme(location) ? fetchBytes(location) : readLocal(location));

/** Local paths (absolute, or relative to the working directory) from the file system; URLs with fetch. */
export const nodeIo: ResourceIo = {
  readBytes,
  readText: async (location) => new TextDecoder().decode(await readBytes(location)),
  writeText: (location, text) =>
    hasScheme(location) ? fetchIo.writeText(location, text) : writeLocal(location, text),
};
