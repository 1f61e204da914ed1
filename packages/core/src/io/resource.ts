// How the matcher reads a run and reads or writes supports. The library itself only knows fetch, so it runs in
// a browser as it is; Node's file system comes in through nodeIo (node-io.ts), never imported from here.

/** Reads and writes artifacts at a location: a URL for fetchIo, a path or a URL for nodeIo. */
export interface ResourceIo {
  readBytes(location: string): Promise<Uint8Array>;
  readText(location: string): Promise<string>;
  /** Replaces the whole file, or fails with an error that names it. */
  writeText(location: string, text: string): Promise<void>;
}

/** Joins a base location and a relative path with '/', which both URLs and Node paths accept. */
export function joinLocation(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Whether a location names its scheme (http:, blob:, data:) rather than being a path (C:\ is a drive). */
export const hasScheme = (location: string): boolean => /^[a-z][a-z0-9+.-]+:/i.test(location);

/** The bytes at a URL (or a path relative to the page, in a browser); the error names the location and why. */
export async function fetchBytes(location: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(location);
  } catch (error) {
    // Outside a browser a bare path cannot be fetched: say where local files are read instead.
    const hint =
      !hasScheme(location) && !('document' in globalThis)
        ? "; for a local path under Node, use Matcher from '@twinnet/core/node' or pass { io: nodeIo }"
        : '';
    throw new Error(`${location}: cannot be fetched (${(error as Error).message}${hint})`);
  }
  if (!response.ok) throw new Error(`${location}: cannot be fetched (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The browser's (and any runtime's) default: fetch to read; nothing to write to. */
export const fetchIo: ResourceIo = {
  readBytes: fetchBytes,
  readText: async (location) => new TextDecoder().decode(await fetchBytes(location)),
  writeText: async (location) => {
    throw new Error(
      `${location}: cannot be written with fetch; in a browser store supports() yourself (e.g. localStorage), ` +
        "under Node use Matcher from '@twinnet/core/node' or pass { io: nodeIo }",
    );
  },
};
