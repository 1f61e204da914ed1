import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '@twinnet/core';

export const USAGE = `usage: pnpm match --run RUN_DIR (--support DIR | --supports FILE) --query FILE_OR_DIR [options]
  --run DIR             a trainer run of the contrastive variant, e.g. artifacts/mnist-contrastive-holdout
  --support DIR         one sub-folder per class (its name is the label), each with a few PNG or JPEG files
  --supports FILE       supports saved earlier with --save-supports (no re-embedding); may be combined with --support
  --query FILE_OR_DIR   an image, or a folder of images (searched recursively)
  --save-supports FILE  write the embedded supports to a JSON file for later runs (--query is then optional)
  --k N                 labels ranked per query in --json output (default 3)
  --threshold X         distance at or past which a query is 'unknown' (default: the run's calibrated threshold)
  --json                machine-readable output on stdout
  --backend auto|tfjs-node|native|wasm|cpu  (default auto)  --help`;

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface MatchRequest {
  run: string;
  support: string | undefined;
  supports: string | undefined;
  query: string | undefined;
  saveSupports: string | undefined;
  k: number;
  threshold: number | undefined;
  json: boolean;
  backend: BackendName;
  help: boolean;
}

const OPTIONS = {
  run: { type: 'string' },
  support: { type: 'string' },
  supports: { type: 'string' },
  query: { type: 'string' },
  'save-supports': { type: 'string' },
  k: { type: 'string' },
  threshold: { type: 'string' },
  json: { type: 'boolean' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses the arguments; relative paths are resolved against `cwd`, which for `pnpm match` is where the user
 * typed the command (pnpm runs the script inside apps/match).
 */
export function parseMatchArgs(argv: readonly string[], cwd: string): MatchRequest {
  // pnpm forwards a literal `--` before the script's own arguments.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const path = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(cwd, p));
  const request: MatchRequest = {
    run: path(values.run) ?? '',
    support: path(values.support),
    supports: path(values.supports),
    query: path(values.query),
    saveSupports: path(values['save-supports']),
    k: 3,
    threshold: undefined,
    json: values.json ?? false,
    backend: 'auto',
    help: values.help ?? false,
  };
  if (request.help) return request;
  if (!values.run) throw new UsageError('--run is required');
  if (!request.support && !request.supports) throw new UsageError('give --support DIR or --supports FILE');
  if (!request.query && !request.saveSupports)
    throw new UsageError('--query is required (unless you only --save-supports)');
  if (values.k !== undefined) {
    const k = Number(values.k);
    if (!Number.isInteger(k) || k < 1)
      throw new UsageError(`--k expects a whole number >= 1, got '${values.k}'`);
    request.k = k;
  }
  if (values.threshold !== undefined) {
    const t = Number(values.threshold);
    if (!Number.isFinite(t) || t <= 0)
      throw new UsageError(`--threshold expects a positive number, got '${values.threshold}'`);
    request.threshold = t;
  }
  if (values.backend !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(values.backend)) {
      throw new UsageError(`--backend expects one of ${BACKEND_NAMES.join(', ')}; got '${values.backend}'`);
    }
    request.backend = values.backend as BackendName;
  }
  return request;
}
