import { z } from 'zod';
import { datasetNames } from './datasets.ts';
import { HEADS } from './heads/index.ts';
import { LOSSES } from './losses/index.ts';
import { OPTIMIZERS } from './optimizers/index.ts';
import { PAIRINGS } from './pairings/index.ts';
import { TOWERS } from './towers/index.ts';

/**
 * The training recipe: everything that defines one run, in one schema. Presets are recipes; the trainer's flags,
 * the checkpoint, metrics.json and the bench's protocol all carry this object rather than restating its fields.
 * Every number has a range, so a recipe from any door (CLI, API, file) is checked the same way.
 */
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const positive = (max: number) => z.number().positive().max(max);

export const TrainRecipeSchema = z.object({
  /** The run's name: its folder under artifacts/. */
  run: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lower-case folder name: letters, digits, . _ -'),
  dataset: z.enum(datasetNames()),
  /** A preset's family (contrastive, bce): a label for tables, not a setting. */
  variant: z.string().min(1),
  /** Classes never shown in training, kept for one-shot episodes on unseen classes. */
  heldOutClasses: z.array(int(0, 255)),
  tower: z.object({ kind: z.enum(TOWERS.names()), embeddingDim: int(1, 4096) }),
  head: z.object({ kind: z.enum(HEADS.names()), hidden: int(1, 4096) }),
  loss: z.object({ kind: z.enum(LOSSES.names()), margin: positive(100) }),
  /** How an epoch forms its pairs; balance weighs same and different in-batch pairs to half the loss each. */
  pairing: z.object({ kind: z.enum(PAIRINGS.names()), balance: z.boolean() }),
  /** Pairs per step (explicit), or images per step rounded down to whole classes (in-batch). */
  batchSize: int(2, 4096),
  /** An epoch takes as many steps as this many explicit pairs would at batchSize. */
  pairsPerEpoch: int(2, 10_000_000),
  /** Label-preserving augmentations, applied in order on the backend (a slot: none exist yet). */
  augmentation: z.array(z.never()),
  optimizer: z.object({ kind: z.enum(OPTIMIZERS.names()), learningRate: positive(10) }),
  /** Cosine decay per epoch from the full rate to floor × rate by the last epoch. */
  schedule: z.object({ kind: z.literal('cosine'), floor: z.number().min(0).max(1) }),
  epochs: int(1, 1000),
  seed: int(0, 2 ** 31 - 1),
  data: z.object({
    /** Training images used after the validation split; 0 = all. */
    trainSize: int(0, 10_000_000),
    /** Share of the training split carved out, seeded, for validation (threshold choice, curves). */
    validationFraction: z.number().gt(0).lt(1),
  }),
  evaluation: z.object({
    validationPairs: int(2, 1_000_000),
    testPairs: int(2, 1_000_000),
    episodes: int(1, 100_000),
    /** Test images embedded for the gallery's UMAP scatter. */
    embedPoints: int(2, 100_000),
  }),
});
export type TrainRecipe = z.infer<typeof TrainRecipeSchema>;

/** Checks a recipe and what single fields cannot say: the loss suits the head, the classes exist, and so on. */
export function checkRecipe(recipe: unknown, classCount?: number): TrainRecipe {
  const parsed = TrainRecipeSchema.safeParse(recipe);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(recipe)'}: ${issue.message}`);
    throw new RecipeError(problems.join('; '), parsed.error.issues[0]?.path.join('.'));
  }
  const r = parsed.data;
  const loss = LOSSES.get(r.loss.kind);
  if (loss.kind === 'pair' && !loss.heads.includes(r.head.kind))
    throw new RecipeError(`loss '${r.loss.kind}' needs a ${loss.heads.join(' or ')} head, not '${r.head.kind}'`, 'loss.kind');
  if (loss.kind === 'batch' && r.pairing.kind !== 'in-batch')
    throw new RecipeError(`loss '${r.loss.kind}' scores whole batches: it needs in-batch pairing`, 'pairing.kind');
  if (r.pairsPerEpoch < r.batchSize)
    throw new RecipeError(`pairsPerEpoch (${r.pairsPerEpoch}) must be at least batchSize (${r.batchSize})`, 'pairsPerEpoch');
  const classes = classCount ?? 256;
  const bad = r.heldOutClasses.find((c) => c >= classes);
  if (bad !== undefined) throw new RecipeError(`held-out class ${bad} does not exist (0..${classes - 1})`, 'heldOutClasses');
  if (classes - new Set(r.heldOutClasses).size < 2)
    throw new RecipeError('heldOutClasses must leave at least 2 classes to train on', 'heldOutClasses');
  return r;
}

/** A recipe that does not hold; `path` is the field at fault (e.g. 'tower.embeddingDim'), for the CLI's flag names. */
export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** The classes a recipe trains on: all of the dataset's but the held-out ones. */
export function seenClasses(recipe: TrainRecipe, classCount: number): number[] {
  return Array.from({ length: classCount }, (_, c) => c).filter((c) => !recipe.heldOutClasses.includes(c));
}

/**
 * The recipe fields a checkpoint must share with the run that resumes it: what shapes the model, its data and
 * its random streams. Epochs, rates and evaluation sizes may change on resume.
 */
export function resumeKey(recipe: TrainRecipe): Record<string, unknown> {
  const { run, dataset, heldOutClasses, tower, head, loss, pairing, optimizer, seed, data } = recipe;
  return { run, dataset, heldOutClasses, tower, head, loss: loss.kind, pairing, optimizer: optimizer.kind, seed, data };
}
