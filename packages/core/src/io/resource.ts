// Reads artifacts from a file path (Node) or a URL (browser, or http(s) anywhere). This module is reachable
// from the browser entry point, so Node's fs is imported only at run time, and only under Node.

const isNode = (): boolean => typeof process !== 'undefined' && Boolean(process.versions?.node);
const isHttp = (location: string): boolean => /^https?:\/\//i.test(location);

type NodeFs = typeof import('node:fs/promises');

async function nodeFs(): Promise<NodeFs> {
  // A variable specifier plus the ignore hints keep bundlers from pulling node:fs into a browser build.
  const specifier = 'node:fs/promises';
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as NodeFs;
}

/** Whether `location` is read from the local file system rather than fetched. */
export function isLocalFile(location: string): boolean {
  return isNode() && !isHttp(location);
}

/** Joins a base location and a relative path with '/', which both URLs and Node paths accept. */
export function joinLocation(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** The bytes at a path or URL; the error names the location and why it failed. */
export async function readBytes(location: string): Promise<Uint8Array> {
  if (isLocalFile(location)) {
    const fs = await nodeFs();
    try {
      const data = await fs.readFile(location);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new Error(
        `${location}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`,
      );
    }
  }
  let response: Response;
  try {
    response = await fetch(location);
  } catch (error) {
    throw new Error(`${location}: cannot be fetched (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`${location}: cannot be fetched (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function readText(location: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(location));
}

/** Writes a local file via a temporary name and a rename, so a reader never sees half of it. Node only. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  if (!isLocalFile(path)) {
    throw new Error(
      `${path}: writing files needs Node and a local path; in a browser, store the JSON yourself`,
    );
  }
  const fs = await nodeFs();
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await fs.writeFile(temp, text);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new Error(`${path}: cannot be written (${(error as Error).message})`);
  }
}
