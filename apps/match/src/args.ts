import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKEND_NAMES,
  type BackendName,
  describeRange,
  MATCH_RANGES,
  type NumberRange,
} from '@twinnet/core';
import { choiceFlag, parseCommandLine, rangeFlag, UsageError } from '@twinnet/core/node';
import { DEFAULT_BATCH, DEFAULT_MAX_PIXELS, FLAG_RANGES, MAX_SIDE } from './flags.ts';

export { UsageError };

/** The run `pnpm match` uses without --run: the metric variant on every MNIST class, built for new symbols. */
export const DEFAULT_RUN = fileURLToPath(new URL('../../../artifacts/mnist-metric', import.meta.url));

export const USAGE = `usage: pnpm match [--run RUN_DIR] (--support DIR | --supports FILE) --query FILE_OR_DIR [options]
       pnpm match export --run RUN_DIR --out DIR   the run's portable matcher (pnpm match export --help)
  --run DIR             a trainer run (default: <repo>/artifacts/mnist-metric, trained on every digit to tell
                        new symbols apart); e.g. artifacts/mnist-metric-holdout (cosine head: ranked by cosine
                        similarity; distance head: by embedding distance; MLP head: by its head/ model's score)
  --support DIR         one sub-folder per class (its name is the label), each with a few PNG or JPEG files;
                        labels that differ only in case (seven, Seven) are refused, both named
  --supports FILE       supports saved earlier with --save-supports (no re-embedding); may be combined with --support
  --query FILE_OR_DIR   an image, or a folder of images (searched recursively)
                        symbolic links to folders and files are followed, each folder once (a loop is named
                        and not searched again); hidden files are ignored
  --save-supports FILE  write the embedded supports to a JSON file for later runs (--query is then optional)
  --k N                 labels ranked per query in --json output: ${describeRange(MATCH_RANGES.k)} (default 3)
  --threshold X         where a query becomes 'unknown' (default: the run's calibrated threshold): a distance,
                        ${describeRange(MATCH_RANGES.distanceThreshold)}, for distance-head runs; a cosine
                        similarity, ${describeRange(MATCH_RANGES.similarityThreshold)}, for cosine-head runs; a
                        score, ${describeRange(MATCH_RANGES.scoreThreshold)}, for MLP-head runs
  --batch N             query files read, matched and printed at a time: ${describeRange(FLAG_RANGES.batch)}
                        (default ${DEFAULT_BATCH}); memory grows with N, not with the number of files
  --max-pixels N        refuse images with more pixels (width × height, read from the header before decoding):
                        ${describeRange(FLAG_RANGES.maxPixels)} (default ${DEFAULT_MAX_PIXELS} = 4096×4096); a side
                        over ${MAX_SIDE} is refused; pictures over 2048×2048 are reduced while read (peak memory:
                        docs/matching.md)
  --json                machine-readable output on stdout
  --backend auto|tfjs-node|native|wasm|cpu  (default auto)  --help`;

export interface MatchRequest {
  run: string;
  support: string | undefined;
  supports: string | undefined;
  query: string | undefined;
  saveSupports: string | undefined;
  k: number;
  threshold: number | undefined;
  batch: number;
  maxPixels: number;
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
  batch: { type: 'string' },
  'max-pixels': { type: 'string' },
  json: { type: 'boolean' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses the arguments; relative paths are resolved against `cwd`, which for `pnpm match` is where the user
 * typed the command (pnpm runs the script inside apps/match).
 */
export function parseMatchArgs(argv: readonly string[], cwd: string): MatchRequest {
  const values = parseCommandLine(argv, OPTIONS);
  const text = (flag: keyof typeof OPTIONS) => values[flag] as string | undefined;
  const path = (flag: keyof typeof OPTIONS) => {
    const p = text(flag);
    return p === undefined ? undefined : isAbsolute(p) ? p : resolve(cwd, p);
  };
  const number = (flag: keyof typeof OPTIONS, range: NumberRange, fallback: number) => {
    const raw = text(flag);
    return raw === undefined ? fallback : rangeFlag(`--${flag}`, raw, range);
  };
  const threshold = text('threshold');
  const request: MatchRequest = {
    run: path('run') ?? DEFAULT_RUN,
    support: path('support'),
    supports: path('supports'),
    query: path('query'),
    saveSupports: path('save-supports'),
    k: number('k', MATCH_RANGES.k, 3),
    // Its range depends on the run's head: the matcher checks it once the run is loaded; here, the widest.
    threshold:
      threshold === undefined ? undefined : rangeFlag('--threshold', threshold, MATCH_RANGES.scoreThreshold),
    batch: number('batch', FLAG_RANGES.batch, DEFAULT_BATCH),
    maxPixels: number('max-pixels', FLAG_RANGES.maxPixels, DEFAULT_MAX_PIXELS),
    json: values.json === true,
    backend: choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto',
    help: values.help === true,
  };
  if (request.help) return request;
  if (!request.support && !request.supports) throw new UsageError('give --support DIR or --supports FILE');
  if (!request.query && !request.saveSupports)
    throw new UsageError('--query is required (unless you only --save-supports)');
  return request;
}
