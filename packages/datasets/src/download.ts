import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyChecksum } from './checksums.ts';
import { DatasetError } from './errors.ts';
import { inflate, isGzip } from './gzip.ts';

/** Fetches a URL's body. Injectable so tests (and offline mirrors) can stand in for the network. */
export type Fetcher = (url: string) => Promise<Uint8Array>;

/** Bytes received so far of one URL, and its Content-Length when the server sent one. */
export type ProgressListener = (url: string, received: number, total: number | undefined) => void;

/**
 * Idle, not total: a slow link downloading 26 MB must finish, but a server that accepts and then
 * says nothing should fail within seconds, not after the 10 minutes a total timeout would need.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Raised when no bytes arrived for the idle period; downloadVerified turns it into a DatasetError. */
class IdleTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no data for ${ms / 1000} s (the idle timeout, options.downloadIdleTimeoutMs)`);
  }
}

/** Global fetch, aborted when no bytes (headers or body) arrive for `idleTimeoutMs`. */
export function httpFetcher(idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS, onProgress?: ProgressListener): Fetcher {
  return async (url) => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new IdleTimeout(idleTimeoutMs)), idleTimeoutMs);
    };
    rearm();
    try {
      const response = await fetch(url, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      const total = Number(response.headers.get('content-length')) || undefined;
      const chunks: Uint8Array[] = [];
      let received = 0;
      const reader = response.body?.getReader();
      for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
        rearm();
        chunks.push(chunk.value);
        received += chunk.value.length;
        onProgress?.(url, received, total);
      }
      return concat(chunks, received);
    } catch (error) {
      // undici reports the abort as its own error; the reason says why we aborted.
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

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
    if (error instanceof DatasetError) {
      throw new DatasetError(error.file, `${error.detail} (nothing was stored; retry)`, {
        cause: error.cause,
      });
    }
    throw error;
  }
}

/** undici hides the useful part ("ENOTFOUND ...") in error.cause. */
function describe(error: Error): string {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
