import { isAbsolute, resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '@twinnet/core';
import { choiceFlag, type OptionSpec, parseCommandLine, rangeFlag, UsageError } from '@twinnet/core/node';
import { DEFAULT_PYTHON } from './peer.ts';

export const USAGE = `usage: pnpm bench [-- options]
  --compare BASE.json    after the run, exit 1 if accuracy fell by more than 0.3 points or a throughput
                         ratio by more than 15% (e.g. --compare bench/baseline.json)
  --current RESULT.json  with --compare: check an existing result instead of running the bench
  --quick                tiny budgets, for trying the bench out (never compared with a full run)
  --no-peer              skip PyTorch
  --python PATH          interpreter with PyTorch (default ${DEFAULT_PYTHON})
  --peer-tta-threads L   thread counts for PyTorch's time to accuracy, e.g. 1,2 (default: our backend's)
  --backend auto|tfjs-node|native|wasm|cpu   (default auto)
  --artifacts DIR        trainer artifacts to read quality from (default <repo>/artifacts)
  --out DIR              where results/ and history.jsonl go (default <repo>/bench)
  --help`;

export interface BenchArgs {
  compare: string | null;
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

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const values = parseCommandLine(argv, OPTIONS);
  if (values.current !== undefined && values.compare === undefined) {
    throw new UsageError('--current goes with --compare');
  }
  const threads = values['peer-tta-threads'];
  const peerTtaThreads =
    threads === undefined
      ? null
      : String(threads)
          .split(',')
          .map((s) => rangeFlag('--peer-tta-threads', s.trim(), { min: 1, max: 1024, integer: true }));
  const path = (v: unknown) => (typeof v === 'string' ? resolveFrom(v) : null);
  return {
    compare: path(values.compare),
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
