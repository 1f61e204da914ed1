// Node's side of ResourceIo: local paths through node:fs, URLs through fetch. Only '@twinnet/core/node' reaches
// this module, so browser builds never see node:fs.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.ts';
import { fetchBytes, fetchIo, hasScheme, type ResourceIo } from './resource.ts';

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

const readBytes = (location: string) => (hasScheme(location) ? fetchBytes(location) : readLocal(location));

/** Local paths (absolute, or relative to the working directory) from the file system; URLs with fetch. */
export const nodeIo: ResourceIo = {
  readBytes,
  readText: async (location) => new TextDecoder().decode(await readBytes(location)),
  writeText: (location, text) =>
    hasScheme(location)
      ? fetchIo.writeText(location, text)
      : writeFileAtomic(location, text, { createFolder: false }),
};
