import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyChecksum } from './checksums.ts';
import { DatasetError } from './errors.ts';
import { inflate, isGzip } from './gzip.ts';

/** Fetches a URL's body. Injectable so tests (and offline mirrors) can stand in for the network. */
export type Fetcher = (url: string) => Promise<Uint8Array>;

// Generous: a stalled connection should fail eventually, a slow one (26 MB) should still finish.
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export const defaultFetch: Fetcher = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
};

export type DownloadRequest = {
  url: string;
  /** Destination directory (created if needed). */
  dir: string;
  /** Canonical decompressed file name; `.gz` is appended when the payload is gzipped. */
  file: string;
  /** SHA-256 of the decompressed content. */
  sha256: string;
  fetch: Fetcher;
};

/**
 * Downloads into a temp file beside the destination, verifies the decompressed content, then renames.
 * rename() within one directory is atomic, so readers see either no file or a verified one; the temp
 * file is removed on any failure. Returns the decompressed content so the caller need not re-read it.
 */
export async function downloadVerified(
  request: DownloadRequest,
): Promise<{ path: string; content: Uint8Array }> {
  const { url, dir, file, sha256 } = request;
  let payload: Uint8Array;
  try {
    payload = await request.fetch(url);
  } catch (error) {
    const reason = error instanceof Error ? describe(error) : String(error);
    throw new DatasetError(url, `download failed: ${reason}`, { cause: error });
  }
  await mkdir(dir, { recursive: true });
  // Dot-prefixed and unique per attempt: never matched by lookups, safe with concurrent loaders.
  const temp = join(dir, `.${file}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await writeFile(temp, payload, { flag: 'wx' });
    const content = await inflate(payload, url);
    verifyChecksum(content, url, sha256);
    // A server may serve the .gz with Content-Encoding: gzip, in which case fetch already inflated it.
    const path = join(dir, isGzip(payload) ? `${file}.gz` : file);
    await rename(temp, path);
    return { path, content };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** undici hides the useful part ("ENOTFOUND ...") in error.cause. */
function describe(error: Error): string {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
