import { availableParallelism } from 'node:os';
import {
  AUGMENTATIONS,
  BACKEND_NAMES,
  type BackendName,
  DATASET_NAMES,
  DEFAULT_HELD_OUT,
  datasetSpec,
  defaultRecipes,
  describeAugmentParams,
  describeRange,
  HEADS,
  LOSSES,
  type NumberRange,
  OPTIMIZERS,
  PAIRINGS,
  PRESET_VARIANTS,
  parseAugmentations,
  preset,
  READOUTS,
  RecipeError,
  type RecipeOverrides,
  type Registry,
  TOWERS,
  type TrainRecipe,
  TrainRecipeSchema,
  withOverrides,
} from '@twinnet/core';
import {
  choiceFlag,
  classListFlag,
  type OptionSpec,
  parseCommandLine,
  rangeFlag,
  UsageError,
} from '@twinnet/core/node';
import { z } from 'zod';

export { UsageError } from '@twinnet/core/node';

/**
 * A recipe field a flag sets: its path in the recipe, and for kinds the registry its names come from (or, for a
 * fixed set of words, the words).
 */
export interface RecipeFlag {
  flag: string;
  path: readonly [string] | readonly [string, string];
  registry?: Registry<{ summary: string }>;
  choices?: readonly string[];
  help: string;
}

export const RECIPE_FLAGS: readonly RecipeFlag[] = [
  {
    flag: 'tower',
    path: ['tower', 'kind'],
    registry: TOWERS,
    help: 'the shared network that embeds an image',
  },
  {
    flag: 'embedding-dim',
    path: ['tower', 'embeddingDim'],
    help: 'width of the embedding (the small tower stays at chance at 4096: docs/training.md)',
  },
  { flag: 'tower-width', path: ['tower', 'width'], help: 'channels of every stage × this (vgg only)' },
  {
    flag: 'readout',
    path: ['tower', 'readout'],
    choices: READOUTS,
    help: "what matching embeds by: the tower's output, its feature map before the last convolution (encoder), or both",
  },
  { flag: 'head', path: ['head', 'kind'], registry: HEADS, help: 'what compares two embeddings' },
  { flag: 'head-hidden', path: ['head', 'hidden'], help: 'hidden width of an MLP head' },
  { flag: 'loss', path: ['loss', 'kind'], registry: LOSSES, help: 'the training objective' },
  { flag: 'margin', path: ['loss', 'margin'], help: 'contrastive margin' },
  { flag: 'temperature', path: ['loss', 'temperature'], help: 'softmax temperature of supcon, norm-softmax' },
  { flag: 'ms-alpha', path: ['loss', 'msAlpha'], help: 'multi-similarity: weight α of positive pairs' },
  { flag: 'ms-beta', path: ['loss', 'msBeta'], help: 'multi-similarity: weight β of negative pairs' },
  { flag: 'ms-base', path: ['loss', 'msBase'], help: 'multi-similarity: similarity base λ' },
  { flag: 'ms-epsilon', path: ['loss', 'msEpsilon'], help: 'multi-similarity: mining slack ε' },
  { flag: 'proxy-margin', path: ['loss', 'proxyMargin'], help: 'norm-softmax: cosine margin (CosFace)' },
  { flag: 'projection', path: ['loss', 'projection'], help: 'batch losses: projection head width, 0 = none' },
  {
    flag: 'instance-weight',
    path: ['loss', 'instanceWeight'],
    help: 'supcon with views: share for telling images apart',
  },
  { flag: 'pairing', path: ['pairing', 'kind'], registry: PAIRINGS, help: 'how an epoch forms its pairs' },
  { flag: 'views', path: ['pairing', 'views'], help: 'in-batch, batch loss: augmented views of each image' },
  { flag: 'optimizer', path: ['optimizer', 'kind'], registry: OPTIMIZERS, help: 'the optimizer' },
  { flag: 'learning-rate', path: ['optimizer', 'learningRate'], help: 'peak learning rate (cosine decay)' },
  { flag: 'epochs', path: ['epochs'], help: 'epochs' },
  { flag: 'batch-size', path: ['batchSize'], help: 'pairs (explicit) or images (in-batch) per step' },
  {
    flag: 'pairs-per-epoch',
    path: ['pairsPerEpoch'],
    help: 'an epoch takes the steps these explicit pairs would',
  },
  { flag: 'seed', path: ['seed'], help: 'seed of every random choice' },
  { flag: 'train-size', path: ['data', 'trainSize'], help: 'training images used, 0 = all' },
  {
    flag: 'validation-pairs',
    path: ['evaluation', 'validationPairs'],
    help: 'pairs the threshold is chosen on',
  },
  { flag: 'test-pairs', path: ['evaluation', 'testPairs'], help: 'test pairs scored at the end' },
  { flag: 'episodes', path: ['evaluation', 'episodes'], help: 'one-shot episodes per figure' },
  { flag: 'embed-points', path: ['evaluation', 'embedPoints'], help: 'test images in the gallery’s UMAP' },
];

/** The range of one numeric recipe field, read from the schema (its fractional fields are all positive). */
function flagRange(path: RecipeFlag['path']): NumberRange {
  const shape = TrainRecipeSchema.shape as Record<string, unknown>;
  const outer = shape[path[0]] as { shape?: Record<string, unknown> };
  type NumberField = { minValue: number | null; maxValue: number | null; isInt: boolean };
  const raw = (path.length === 1 ? outer : outer.shape![path[1]!]) as NumberField & {
    unwrap?: () => NumberField;
  };
  // A field with a default (loss.temperature) wraps its number schema.
  const field = raw.unwrap ? raw.unwrap() : raw;
  const integer = field.isInt;
  return {
    min: field.minValue ?? 0,
    max: field.maxValue ?? Number.MAX_VALUE,
    integer,
    // positive() refuses its minimum, min() accepts it (loss.msEpsilon may be 0).
    minExclusive: 'exclusiveMinimum' in z.toJSONSchema(field as unknown as z.ZodType),
  };
}

/** A precision an open-set cut can be chosen for. */
const TARGET_PRECISION: NumberRange = { min: 0, max: 1, minExclusive: true };

/** Runs trained at once: more lanes than cores only slow each run. */
const JOBS: NumberRange = { min: 1, max: 16, integer: true };

/** One line of --help: the flag, padded to a column, then what it does. */
const usageLine = (flag: string, help: string) => `${`  ${flag}`.padEnd(43)} ${help}`;

function flagLine({ flag, path, registry, choices, help }: RecipeFlag): string {
  if (registry) return usageLine(`--${flag} ${registry.names().join('|')}`, help);
  if (choices) return usageLine(`--${flag} ${choices.join('|')}`, help);
  const range = flagRange(path);
  return usageLine(`--${flag} ${range.integer ? 'N' : 'X'}`, `${help}: ${describeRange(range)}`);
}

export const USAGE = [
  `usage: pnpm --filter trainer train -- [--dataset ${DATASET_NAMES.join('|')} --variant ${PRESET_VARIANTS.join('|')}] [options]`,
  '  with no --dataset: every default run (each variant on each dataset, plus contrastive and metric hold-out runs)',
  `  --holdout                                 hold out classes ${DEFAULT_HELD_OUT.join(',')} for one-shot matching`,
  '  --held-out LIST|none                      classes never trained on, e.g. 7,8,9',
  '  --validation-classes LIST|none            classes also kept out of training, for every choice, e.g. 5,6',
  '  --refit, --no-refit                       after choosing on validation classes, train the final model on',
  '                                            all seen classes (default: on for metric hold-out runs)',
  ...RECIPE_FLAGS.map(flagLine),
  usageLine('--augment LIST|none', 'random changes to training images, e.g. rotation=15,scale=0.1,shift=2'),
  usageLine(
    '--target-precision P',
    `open-set cuts for the most recall at precision >= P, ${describeRange(TARGET_PRECISION)} (default: best F1)`,
  ),
  ...describeAugmentParams().map((line) => `      ${line}`),
  usageLine(`--backend ${BACKEND_NAMES.join('|')}`, 'compute backend (default auto)'),
  '  --out DIR                                 where runs are written (default: <repo>/artifacts)',
  '  --resume                                  continue each run from its checkpoint',
  `  --jobs N                                  runs trained at once, each in its own thread: ${describeRange(JOBS)}`,
  '  --help',
  'registered pieces:',
  ...[TOWERS, HEADS, LOSSES, PAIRINGS, OPTIMIZERS, AUGMENTATIONS].flatMap((r) =>
    r.describe().map((line) => `  ${r.what} ${line}`),
  ),
].join('\n');

export interface CliRequest {
  recipes: TrainRecipe[];
  backend: BackendName;
  outDir: string | undefined;
  resume: boolean;
  help: boolean;
  jobs: number;
}

const OPTIONS: Record<string, OptionSpec> = {
  dataset: { type: 'string' },
  variant: { type: 'string' },
  holdout: { type: 'boolean' },
  'held-out': { type: 'string' },
  'validation-classes': { type: 'string' },
  refit: { type: 'boolean' },
  'no-refit': { type: 'boolean' },
  ...Object.fromEntries(RECIPE_FLAGS.map(({ flag }) => [flag, { type: 'string' }])),
  augment: { type: 'string' },
  'target-precision': { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  jobs: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export function parseCli(argv: readonly string[]): CliRequest {
  const values = parseCommandLine(argv, OPTIONS);
  const dataset = choiceFlag('--dataset', values.dataset, DATASET_NAMES);
  const variant = choiceFlag('--variant', values.variant, PRESET_VARIANTS);
  if ((dataset === undefined) !== (variant === undefined))
    throw new UsageError('--dataset and --variant go together (or give neither, for every default run)');
  const holdout = values.holdout === true || values['held-out'] !== undefined;
  const base = dataset && variant ? [preset(dataset, variant, holdout)] : defaultRecipes();
  const recipes = base.map((recipe) => applyFlags(recipe, values));
  const jobs =
    values.jobs === undefined
      ? Math.min(2, availableParallelism(), recipes.length)
      : rangeFlag('--jobs', String(values.jobs), JOBS);
  return {
    recipes,
    backend: choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto',
    outDir: values.out as string | undefined,
    resume: values.resume === true,
    help: values.help === true,
    jobs,
  };
}

/** The recipe with every given flag applied, checked whole; a failed check names the flag at fault. */
function applyFlags(recipe: TrainRecipe, values: Record<string, unknown>): TrainRecipe {
  const overrides: Record<string, unknown> = {};
  for (const spec of RECIPE_FLAGS) {
    const value = flagValue(spec, values[spec.flag]);
    if (value === undefined) continue;
    const [outer, inner] = spec.path;
    overrides[outer] = inner === undefined ? value : { ...(overrides[outer] as object), [inner]: value };
  }
  if (values['held-out'] !== undefined)
    overrides.heldOutClasses = parseClassList('--held-out', String(values['held-out']), recipe.dataset);
  if (values['validation-classes'] !== undefined)
    overrides.validationClasses = parseClassList(
      '--validation-classes',
      String(values['validation-classes']),
      recipe.dataset,
    );
  if (values.refit === true && values['no-refit'] === true)
    throw new UsageError('--refit and --no-refit contradict each other: give one');
  if (values.refit === true) overrides.refit = true;
  // Without validation classes there is nothing to choose before a refit.
  if (values['no-refit'] === true || (overrides.validationClasses as number[] | undefined)?.length === 0)
    overrides.refit = false;
  if (values.augment !== undefined) overrides.augmentation = augmentFlag(String(values.augment));
  if (values['target-precision'] !== undefined) {
    const min = rangeFlag('--target-precision', String(values['target-precision']), TARGET_PRECISION);
    overrides.evaluation = { ...(overrides.evaluation as object), openSetTarget: { kind: 'precision', min } };
  }
  try {
    return withOverrides(recipe, overrides as RecipeOverrides, datasetSpec(recipe.dataset).classNames.length);
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    const flag =
      error.path === 'validationClasses'
        ? 'validation-classes'
        : error.path === 'refit'
          ? 'refit'
          : RECIPE_FLAGS.find((f) => f.path.join('.') === error.path)?.flag;
    throw new UsageError(flag ? `--${flag}: ${error.message}` : error.message);
  }
}

function flagValue(spec: RecipeFlag, raw: unknown): unknown {
  const flag = `--${spec.flag}`;
  if (spec.registry) return choiceFlag(flag, raw, spec.registry.names());
  if (spec.choices) return choiceFlag(flag, raw, spec.choices);
  return raw === undefined ? undefined : rangeFlag(flag, String(raw), flagRange(spec.path));
}

const parseClassList = (flag: string, raw: string, dataset: string): number[] =>
  classListFlag(flag, raw, datasetSpec(dataset).classNames.length);

/** --augment's list, checked in full here (kinds, names, ranges), so the recipe check finds nothing more in it. */
function augmentFlag(raw: string): TrainRecipe['augmentation'] {
  try {
    return parseAugmentations(raw);
  } catch (error) {
    throw new UsageError(`--augment: ${(error as Error).message}`);
  }
}
