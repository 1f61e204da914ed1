// `pnpm match export --run RUN --out DIR`: writes the run's portable matcher (exportMatcher in
// @twinnet/core/node), the few files Matcher.load needs, to ship with an app or load in a browser.
import { isAbsolute, resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '@twinnet/core';
import { choiceFlag, exportMatcher, initBackend, parseCommandLine, UsageError } from '@twinnet/core/node';
import type { Io } from './cli.ts';

export const EXPORT_USAGE = `usage: pnpm match export --run RUN_DIR --out DIR [--backend auto|tfjs-node|native|wasm|cpu]
  --run DIR   a trainer run (e.g. artifacts/mnist-metric)
  --out DIR   where the matcher goes: a new or empty folder, or an earlier export (replaced whole); it holds
              metrics.json (identity, framing, metric, calibration), tower/ and, for an MLP head, head/.
              Load it with Matcher.load(DIR) under Node, or Matcher.load(URL) in a browser
  --backend   tfjs backend used to check the run loads (default auto)  --help`;

export interface ExportRequest {
  run: string;
  out: string;
  backend: BackendName;
  help: boolean;
}

const OPTIONS = {
  run: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses export's flags (after the word `export`); relative paths are taken from `cwd`. */
export function parseExportArgs(argv: readonly string[], cwd: string): ExportRequest {
  const values = parseCommandLine(argv, OPTIONS);
  const path = (flag: 'run' | 'out') => {
    const p = values[flag];
    if (p === undefined) return undefined;
    if (typeof p !== 'string' || p.trim() === '') throw new UsageError(`--${flag} expects a folder`);
    return isAbsolute(p) ? p : resolve(cwd, p);
  };
  const [run, out] = [path('run'), path('out')];
  const backend = choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto';
  if (values.help === true) return { run: run ?? '', out: out ?? '', backend, help: true };
  if (run === undefined) throw new UsageError('--run is required: the run folder to export');
  if (out === undefined) throw new UsageError('--out is required: the folder to write the matcher to');
  return { run, out, backend, help: false };
}

/** Exit code 0 when the matcher was written, 1 when the run or the folder was refused, 2 for a usage mistake. */
export async function exportMain(argv: readonly string[], io: Io): Promise<number> {
  let request: ExportRequest;
  try {
    request = parseExportArgs(argv, io.cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`match export: ${error.message}\n${EXPORT_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (request.help) {
    io.stdout(EXPORT_USAGE);
    return 0;
  }
  try {
    await initBackend(request.backend, { log: io.stderr });
    const summary = await exportMatcher(request.run, request.out);
    const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
    io.stdout(`exported run '${summary.run}' to ${request.out}: ${kB(summary.bytes)}`);
    for (const file of summary.files) io.stdout(`  ${file.path.padEnd(20)} ${kB(file.bytes).padStart(10)}`);
    return 0;
  } catch (error) {
    io.stderr(`match export: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
