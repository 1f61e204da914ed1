import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '@twinnet/core';
import { choiceFlag, type OptionSpec, parseCommandLine, rangeFlag, UsageError } from '@twinnet/core/node';
import { DEFAULT_THRESHOLD } from './ab/interval.ts';
import { AB_DEFAULTS } from './ab/protocol.ts';
import { DEFAULT_PYTHON } from './peer.ts';

export const USAGE = `usage: pnpm bench [-- options]
  --compare [REF]        A/B against a git branch, tag or commit (default HEAD: the last commit against
                         uncommitted work): REF in a cached worktree and the working tree measured in one run,
                         round by round; exit 1 on a regression, 3 when a figure stays inconclusive, else 0
    --rounds N           rounds before a verdict (default ${AB_DEFAULTS.full.rounds}; ${AB_DEFAULTS.quick.rounds} with --quick)
    --max-seconds S      measuring time allowed for more rounds while a figure is inconclusive
                         (default ${AB_DEFAULTS.full.maxSeconds}; 0: none)
    --threshold PCT      slower by more than this is a regression (default 10)
  --compare BASE.json    after the run, exit 1 if a short-run accuracy fell by more than 0.3 points against a
                         stored result (e.g. bench/baseline.json); throughput is shown for information
  --current RESULT.json  with --compare BASE.json: check an existing result instead of running the bench
  --quick                tiny budgets, for trying the bench out (never compared with a full run)
  --no-peer              skip PyTorch
  --python PATH          interpreter with PyTorch (default ${DEFAULT_PYTHON})
  --peer-tta-threads L   thread counts for PyTorch's time to accuracy, e.g. 1,2 (default: our backend's)
  --backend auto|tfjs-node|native|wasm|cpu   (default auto)
  --artifacts DIR        trainer artifacts to read quality from (default <repo>/artifacts)
  --out DIR              where results/ and history.jsonl go (default <repo>/bench)
  --help`;

export interface BenchArgs {
  /** --compare BASE.json: a stored result's path. */
  compare: string | null;
  /** --compare REF: a git ref. */
  compareRef: string | null;
  rounds: number | null;
  maxSeconds: number | null;
  /** Fraction: 0.1 is 10% slower. */
  threshold: number;
  current: string | null;
  quick: boolean;
  python: string | null;
  peerTtaThreads: number[] | null;
  backend: BackendName;
  artifacts: string | null;
  out: string | null;
  help: boolean;
}

/** Relative paths are taken from where the user ran pnpm (INIT_CWD), not from apps/bench. */
export function resolveFrom(path: string, cwd = process.env.INIT_CWD ?? process.cwd()): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

const OPTIONS = {
  compare: { type: 'string' },
  rounds: { type: 'string' },
  'max-seconds': { type: 'string' },
  threshold: { type: 'string' },
  current: { type: 'string' },
  quick: { type: 'boolean' },
  'no-peer': { type: 'boolean' },
  python: { type: 'string' },
  'peer-tta-threads': { type: 'string' },
  backend: { type: 'string' },
  artifacts: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** `--compare` with no value compares against HEAD. */
export const DEFAULT_REF = 'HEAD';

/** A bare --compare (last, or followed by another flag) gets the default REF. */
function withDefaultRef(argv: readonly string[]): string[] {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  return args.flatMap((arg, i) =>
    arg === '--compare' && (args[i + 1] === undefined || args[i + 1]!.startsWith('-'))
      ? [arg, DEFAULT_REF]
      : [arg],
  );
}

/** A stored result when it names a .json or an existing file; a git ref otherwise. */
function isResultFile(value: string): boolean {
  if (value.endsWith('.json')) return true;
  try {
    return statSync(resolveFrom(value)).isFile();
  } catch {
    return false;
  }
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const values = parseCommandLine(withDefaultRef(argv), OPTIONS);
  const compare = values.compare as string | undefined;
  const ref = compare !== undefined && !isResultFile(compare) ? compare : null;
  if (values.current !== undefined && (compare === undefined || ref !== null)) {
    throw new UsageError('--current goes with --compare BASE.json');
  }
  for (const flag of ['rounds', 'max-seconds', 'threshold'] as const) {
    if (values[flag] !== undefined && ref === null) throw new UsageError(`--${flag} goes with --compare REF`);
  }
  const number = (flag: 'rounds' | 'max-seconds' | 'threshold', range: Parameters<typeof rangeFlag>[2]) =>
    values[flag] === undefined ? null : rangeFlag(`--${flag}`, String(values[flag]), range);
  const threads = values['peer-tta-threads'];
  const peerTtaThreads =
    threads === undefined
      ? null
      : String(threads)
          .split(',')
          .map((s) => rangeFlag('--peer-tta-threads', s.trim(), { min: 1, max: 1024, integer: true }));
  const path = (v: unknown) => (typeof v === 'string' ? resolveFrom(v) : null);
  return {
    compare: ref === null ? path(compare) : null,
    compareRef: ref,
    rounds: number('rounds', { min: 2, max: 1000, integer: true }),
    maxSeconds: number('max-seconds', { min: 0, max: 3600 }),
    threshold: (number('threshold', { min: 1, max: 100 }) ?? 100 * DEFAULT_THRESHOLD) / 100,
    current: path(values.current),
    quick: values.quick === true,
    python: values['no-peer'] ? null : ((values.python as string | undefined) ?? DEFAULT_PYTHON),
    peerTtaThreads,
    backend: choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto',
    artifacts: path(values.artifacts),
    out: path(values.out),
    help: values.help === true,
  };
}
