import { fixCachedFile } from './advice.ts';
import { downloadVerified, httpFetcher } from './download.ts';
import { downloadProgress } from './progress.ts';
import type { SourceFile, SourceOptions } from './sources.ts';
import type { DatasetSpec, FileRole } from './specs.ts';

export type DownloadOutcome = {
  downloaded: Map<FileRole, SourceFile>;
  failures: Error[];
  stillMissing: FileRole[];
};

/** Downloads `missing` files of `spec` from `url` into `dir`, concurrently, with progress on a TTY. */
export async function downloadMissing(
  spec: DatasetSpec,
  missing: readonly FileRole[],
  options: SourceOptions & { url: string; dir: string },
): Promise<DownloadOutcome> {
  const base = options.url.replace(/\/+$/, '');
  const { dir } = options;
  const progress = downloadProgress(
    options.stderr ?? process.stderr,
    `Downloading ${spec.title} into ${dir}`,
    missing.length,
  );
  const fetch = options.fetch ?? httpFetcher(options.downloadIdleTimeoutMs, progress.listener);
  // allSettled, not all: every attempt must finish (and clean up its temp file) before we report.
  const results = await Promise.allSettled(
    missing.map((role) =>
      downloadVerified({
        url: `${base}/${spec.files[role].name}.gz`,
        dir,
        file: spec.files[role].name,
        sha256: spec.files[role].sha256,
        fetch,
      }),
    ),
  ).finally(progress.done);
  const outcome: DownloadOutcome = { downloaded: new Map(), failures: [], stillMissing: [] };
  results.forEach((result, i) => {
    const role = missing[i]!;
    if (result.status === 'fulfilled') {
      const { path, content } = result.value;
      outcome.downloaded.set(role, { path, bytes: content, fix: fixCachedFile(path) });
    } else {
      outcome.failures.push(
        result.reason instanceof Error ? result.reason : new Error(String(result.reason)),
      );
      outcome.stillMissing.push(role);
    }
  });
  return outcome;
}
