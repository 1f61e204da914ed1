import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import {
  type Explicit,
  explicitFromEnv,
  explicitFromOption,
  fixCachedFile,
  fixDebianFile,
  fixExplicitDir,
  fixExplicitFile,
  fixNpmFile,
  howToGet,
} from './advice.ts';
import type { Fetcher } from './download.ts';
import { downloadMissing } from './download-missing.ts';
import { DatasetError } from './errors.ts';
import type { ProgressStream } from './progress.ts';
import { type DatasetSpec, FILE_ROLES, type FileRole } from './specs.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export type SourceOptions = {
  /**
   * Directory holding the IDX files (raw or .gz). Default: env `spec.sources.envVar` (e.g.
   * TWINNET_MNIST_DIR). An explicit directory must exist and hold every file: it is never skipped.
   */
  dir?: string;
  /**
   * twinnet cache root; downloaded datasets live in `<cacheDir>/<name>`.
   * Default: env TWINNET_CACHE_DIR, else `$XDG_CACHE_HOME/twinnet`, else `~/.cache/twinnet`.
   */
  cacheDir?: string;
  /** Where the spec's Debian package installs the files. Default: `spec.sources.debianPackage.dir`. */
  systemDir?: string;
  /** Allow downloading missing files into the cache (datasets with a downloadUrl). Default: true. */
  download?: boolean;
  /** Base URL the `<file>.gz` names are appended to. Default: `spec.sources.downloadUrl`. */
  downloadBaseUrl?: string;
  /** A download fails after this long without receiving a byte. Default: 30 000 ms. */
  downloadIdleTimeoutMs?: number;
  /** Download implementation. Default: global fetch with the idle timeout and progress. */
  fetch?: Fetcher;
  /** Where download progress goes, when it is a TTY. Default: process.stderr. */
  stderr?: ProgressStream;
  /** Environment to read the variables above from. Default: process.env. */
  env?: Env;
};

/** A directory to search; `fix(path)` says how to repair a corrupt file found in it. */
export type Candidate = { dir: string; origin: string; fix: (path: string) => string; explicit?: Explicit };

/** A located file: `bytes` as stored (maybe gzipped) or already decompressed; `fix` for when it is bad. */
export type SourceFile = { path: string; bytes: Uint8Array; fix: string };

/** Directories searched for `spec`'s files, in priority order; an explicit directory is the only one. */
export function candidateDirs(spec: DatasetSpec, options: SourceOptions = {}): Candidate[] {
  const env = options.env ?? process.env;
  const { envVar, npmPackage, debianPackage, downloadUrl } = spec.sources;
  const dir = options.dir || env[envVar];
  if (dir) {
    const explicit = options.dir ? explicitFromOption(dir) : explicitFromEnv(spec, dir);
    const origin = options.dir ? 'option dir' : `$${envVar}`;
    return [{ dir, origin, explicit, fix: (path) => fixExplicitFile(spec, explicit, path) }];
  }
  const candidates: Candidate[] = [];
  const packaged = npmPackage && packageDataDir(npmPackage);
  if (npmPackage && packaged) {
    candidates.push({
      dir: packaged,
      origin: `${npmPackage.name} package`,
      fix: () => fixNpmFile(npmPackage.name),
    });
  }
  if (downloadUrl)
    candidates.push({ dir: datasetCacheDir(spec, options), origin: 'cache', fix: fixCachedFile });
  if (debianPackage) {
    candidates.push({
      dir: options.systemDir ?? debianPackage.dir,
      origin: `Debian package ${debianPackage.name}`,
      fix: () => fixDebianFile(debianPackage.name),
    });
  }
  return candidates;
}

/** `<cache root>/<spec.name>`, where downloads of `spec` are stored. */
export function datasetCacheDir(spec: DatasetSpec, options: SourceOptions = {}): string {
  const env = options.env ?? process.env;
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says to ignore relative XDG_CACHE_HOME values.
  const root =
    options.cacheDir ||
    env.TWINNET_CACHE_DIR ||
    (xdg && isAbsolute(xdg) ? join(xdg, 'twinnet') : join(env.HOME || homedir(), '.cache', 'twinnet'));
  return join(root, spec.name);
}

/** Resolved from this module, so the package must be a dependency of @twinnet/datasets. */
function packageDataDir(npmPackage: { name: string; dataDir: string }): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${npmPackage.name}/package.json`);
    return join(dirname(manifest), npmPackage.dataDir);
  } catch {
    return undefined;
  }
}

/** Reads `file` (preferring the raw name: no inflate cost) from the first candidate that has it. */
async function findFile(file: string, candidates: readonly Candidate[]): Promise<SourceFile | undefined> {
  for (const { dir, fix } of candidates) {
    for (const path of [join(dir, file), join(dir, `${file}.gz`)]) {
      try {
        return { path, bytes: await readFile(path), fix: fix(path) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw new DatasetError(path, `cannot read file (${code ?? String(error)})`, { cause: error });
      }
    }
  }
  return undefined;
}

/** An explicit directory that does not exist, or is a file, is the user's mistake: say so, never skip it. */
async function checkExplicitDir(spec: DatasetSpec, explicit: Explicit): Promise<void> {
  const info = await stat(explicit.dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new DatasetError(explicit.dir, `cannot read directory (${error.code ?? String(error)})`, {
      cause: error,
    });
  });
  const fault = !info ? 'does not exist' : info.isDirectory() ? undefined : 'is not a directory';
  if (fault) {
    throw new DatasetError(explicit.dir, `${explicit.source} ${explicit.dir}, which ${fault}.`, {
      fix: fixExplicitDir(spec, explicit),
    });
  }
}

/**
 * Locates all files of `spec`: the first candidate directory holding a file wins (per file), and
 * missing files are downloaded into the cache when the spec has a downloadUrl. Checksums are verified
 * by the caller, after structural checks, so that a malformed file gets the more specific error.
 */
export async function locateFiles(
  spec: DatasetSpec,
  options: SourceOptions = {},
): Promise<Record<FileRole, SourceFile>> {
  const candidates = candidateDirs(spec, options);
  const explicit = candidates[0]?.explicit;
  if (explicit) await checkExplicitDir(spec, explicit);
  const found = await Promise.all(FILE_ROLES.map((role) => findFile(spec.files[role].name, candidates)));
  const missing = FILE_ROLES.filter((_, i) => !found[i]);
  if (missing.length > 0 && explicit) {
    const names = missing.map((role) => spec.files[role].name).join(', ');
    throw new DatasetError(
      explicit.dir,
      `${explicit.source} ${explicit.dir}, which lacks ${names} (raw or .gz).`,
      {
        fix: fixExplicitDir(spec, explicit),
      },
    );
  }
  if (missing.length > 0) {
    const url = options.downloadBaseUrl ?? spec.sources.downloadUrl;
    if (!url || options.download === false) {
      const note = url ? 'Download: disabled (options.download is false).' : '';
      throw notFound(spec, missing, candidates, note);
    }
    const dir = datasetCacheDir(spec, options);
    const outcome = await downloadMissing(spec, missing, { ...options, url, dir });
    if (outcome.failures.length > 0) {
      const note = `Download into ${dir} failed:\n${outcome.failures.map((e) => `  ${e.message}`).join('\n')}`;
      throw notFound(spec, outcome.stillMissing, candidates, note, { url, cause: outcome.failures[0]! });
    }
    for (const [role, file] of outcome.downloaded) found[FILE_ROLES.indexOf(role)] = file;
  }
  return Object.fromEntries(FILE_ROLES.map((role, i) => [role, found[i]!])) as Record<FileRole, SourceFile>;
}

function notFound(
  spec: DatasetSpec,
  roles: readonly FileRole[],
  candidates: readonly Candidate[],
  note: string,
  failedDownload?: { url: string; cause: Error },
): DatasetError {
  const [first = '', ...others] = roles.map((role) => spec.files[role].name);
  const lines = [
    `${spec.name} file not found (looked for raw and .gz)${others.length > 0 ? `; also missing: ${others.join(', ')}` : ''}.`,
    'Looked in:',
    ...candidates.map(({ dir, origin }) => `  ${dir} (${origin})`),
    ...(note ? [note] : []),
  ];
  return new DatasetError(first, lines.join('\n'), {
    ...(failedDownload ? { cause: failedDownload.cause } : {}),
    fix: howToGet(spec, failedDownload?.url),
  });
}
