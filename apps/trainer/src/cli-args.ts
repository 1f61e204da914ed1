import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName, type OptimizerName } from '@twinnet/core';
import { DATASET_NAMES, type DatasetName } from '@twinnet/datasets';
import { defaultRuns, preset, type TrainConfig, type Variant } from './presets.ts';

export const USAGE = `usage: pnpm --filter trainer train -- [--dataset mnist|fashion-mnist --variant contrastive|bce] [options]
  with no --dataset: every default run (both variants on both datasets, plus a hold-out run per dataset)
  --holdout                 hold out classes (default ${'7,8,9'}) for one-shot matching
  --held-out LIST|none      classes never trained on, e.g. 7,8,9
  --epochs N  --batch-size N  --learning-rate X  --optimizer rmsprop|adam|sgd  --margin X
  --pairs-per-epoch N  --train-size N (0 = all)  --embedding-dim N  --seed N
  --validation-pairs N  --test-pairs N  --episodes N  --embed-points N
  --pairing explicit|in-batch (in-batch: every pair inside class-balanced image batches)
  --backend auto|tfjs-node|native|wasm|cpu  --out DIR (default: <repo>/artifacts)  --resume  --help
  --jobs N                  runs trained at once, each in its own thread (default: min(2, cores) for several runs)`;

/** A command-line mistake: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliRequest {
  configs: TrainConfig[];
  outDir: string | undefined;
  resume: boolean;
  help: boolean;
  jobs: number;
}

const OPTIONS = {
  dataset: { type: 'string' },
  variant: { type: 'string' },
  holdout: { type: 'boolean' },
  'held-out': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  optimizer: { type: 'string' },
  margin: { type: 'string' },
  'pairs-per-epoch': { type: 'string' },
  'train-size': { type: 'string' },
  'embedding-dim': { type: 'string' },
  seed: { type: 'string' },
  'validation-pairs': { type: 'string' },
  'test-pairs': { type: 'string' },
  episodes: { type: 'string' },
  'embed-points': { type: 'string' },
  backend: { type: 'string' },
  pairing: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  jobs: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCli(argv: readonly string[]): CliRequest {
  // pnpm forwards a literal `--` before the script's own arguments.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const help = values.help ?? false;
  const dataset = oneOf('--dataset', values.dataset, DATASET_NAMES);
  const variant = oneOf('--variant', values.variant, ['contrastive', 'bce'] as const);
  if ((dataset === undefined) !== (variant === undefined)) {
    throw new UsageError('--dataset and --variant go together (or give neither, for every default run)');
  }
  const base =
    dataset && variant
      ? [
          preset(
            dataset as DatasetName,
            variant as Variant,
            values.holdout ?? values['held-out'] !== undefined,
          ),
        ]
      : defaultRuns();
  const overrides = parseOverrides(values);
  const configs = base.map((config) => ({ ...config, ...overrides }));
  for (const config of configs) {
    if (config.pairsPerEpoch < config.batchSize) {
      throw new UsageError(
        `--pairs-per-epoch (${config.pairsPerEpoch}) must be at least --batch-size (${config.batchSize})`,
      );
    }
    if (config.heldOutClasses.length > 8)
      throw new UsageError('--held-out must leave at least 2 classes to train on');
  }
  const jobs =
    values.jobs === undefined ? Math.min(2, availableParallelism(), configs.length) : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs expects a whole number >= 1, got '${values.jobs}'`);
  return { configs, outDir: values.out, resume: values.resume ?? false, help, jobs };
}

function parseOverrides(values: Record<string, string | boolean | undefined>): Partial<TrainConfig> {
  const out: Partial<TrainConfig> = {};
  const int = (flag: string, min: number): number | undefined => {
    const raw = values[flag.slice(2)] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`${flag} expects a whole number >= ${min}, got '${raw}'`);
    return n;
  };
  const positive = (flag: string): number | undefined => {
    const raw = values[flag.slice(2)] as string | undefined;
    if (raw === undefined) return undefined;
    const x = Number(raw);
    if (!Number.isFinite(x) || x <= 0)
      throw new UsageError(`${flag} expects a positive number, got '${raw}'`);
    return x;
  };
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('epochs', int('--epochs', 1));
  set('batchSize', int('--batch-size', 2));
  set('learningRate', positive('--learning-rate'));
  set('margin', positive('--margin'));
  set('pairsPerEpoch', int('--pairs-per-epoch', 2));
  set('trainSize', int('--train-size', 0));
  set('embeddingDim', int('--embedding-dim', 1));
  set('seed', int('--seed', 0));
  set('validationPairs', int('--validation-pairs', 2));
  set('testPairs', int('--test-pairs', 2));
  set('episodes', int('--episodes', 1));
  set('embedPoints', int('--embed-points', 2));
  set(
    'optimizer',
    oneOf('--optimizer', values.optimizer as string | undefined, ['rmsprop', 'adam', 'sgd'] as const) as
      | OptimizerName
      | undefined,
  );
  set(
    'backend',
    oneOf('--backend', values.backend as string | undefined, BACKEND_NAMES) as BackendName | undefined,
  );
  set('pairing', oneOf('--pairing', values.pairing as string | undefined, ['explicit', 'in-batch'] as const));
  const heldOut = values['held-out'] as string | undefined;
  if (heldOut !== undefined) set('heldOutClasses', parseClassList(heldOut));
  return out;
}

function parseClassList(raw: string): number[] {
  if (raw === 'none' || raw === '') return [];
  const classes = raw.split(',').map((part) => Number(part.trim()));
  if (classes.some((c) => !Number.isInteger(c) || c < 0 || c > 9)) {
    throw new UsageError(
      `--held-out expects class numbers 0-9 separated by commas (or 'none'), got '${raw}'`,
    );
  }
  return [...new Set(classes)].sort((a, b) => a - b);
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} expects one of ${allowed.join(', ')}; got '${value}'`);
  }
  return value as T;
}
