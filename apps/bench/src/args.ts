import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '@twinnet/core';
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

export class UsageError extends Error {
  override name = 'UsageError';
}

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

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  // pnpm forwards a literal `--` before the script's own arguments.
  const args = argv.filter((a, i) => !(a === '--' && i === 0));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
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
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const backend = (values.backend as string | undefined) ?? 'auto';
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${backend}`);
  }
  if (values.current !== undefined && values.compare === undefined) {
    throw new UsageError('--current goes with --compare');
  }
  let peerTtaThreads: number[] | null = null;
  if (values['peer-tta-threads'] !== undefined) {
    peerTtaThreads = String(values['peer-tta-threads'])
      .split(',')
      .map((s) => Number(s.trim()));
    if (peerTtaThreads.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new UsageError(
        `--peer-tta-threads takes positive integers like 1,2, got ${values['peer-tta-threads']}`,
      );
    }
  }
  const path = (v: unknown) => (typeof v === 'string' ? resolveFrom(v) : null);
  return {
    compare: path(values.compare),
    current: path(values.current),
    quick: values.quick === true,
    python: values['no-peer'] ? null : ((values.python as string | undefined) ?? DEFAULT_PYTHON),
    peerTtaThreads,
    backend: backend as BackendName,
    artifacts: path(values.artifacts),
    out: path(values.out),
    help: values.help === true,
  };
}
