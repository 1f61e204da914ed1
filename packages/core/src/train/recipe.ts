import { HEADS } from '../model/heads/index.ts';
import { readoutProblem } from '../model/readout.ts';
import { TOWERS } from '../model/towers/index.ts';
import { LOSSES } from './losses/index.ts';
import { OPTIMIZERS } from './optimizers/index.ts';
import { PAIRINGS } from './pairings/index.ts';
import { type TrainRecipe, TrainRecipeSchema } from './recipe-schema.ts';

export { type TrainRecipe, TrainRecipeSchema } from './recipe-schema.ts';

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
  const kinds = [
    [TOWERS, r.tower.kind, 'tower.kind'],
    [HEADS, r.head.kind, 'head.kind'],
    [LOSSES, r.loss.kind, 'loss.kind'],
    [PAIRINGS, r.pairing.kind, 'pairing.kind'],
    [OPTIMIZERS, r.optimizer.kind, 'optimizer.kind'],
  ] as const;
  for (const [registry, name, path] of kinds) {
    if (!registry.has(name))
      throw new RecipeError(
        `unknown ${registry.what} '${name}'; expected one of ${registry.names().join(', ')}`,
        path,
      );
  }
  if (r.tower.width !== 1 && !TOWERS.get(r.tower.kind).scalable)
    throw new RecipeError(
      `tower '${r.tower.kind}' has no stages to widen: tower.width must be 1`,
      'tower.width',
    );
  checkReadout(r);
  const loss = LOSSES.get(r.loss.kind);
  if (loss.kind === 'pair' && !loss.heads.includes(r.head.kind))
    throw new RecipeError(
      `loss '${r.loss.kind}' needs a ${loss.heads.join(' or ')} head, not '${r.head.kind}'`,
      'loss.kind',
    );
  if (loss.kind === 'batch' && r.pairing.kind !== 'in-batch')
    throw new RecipeError(
      `loss '${r.loss.kind}' scores whole batches: it needs in-batch pairing`,
      'pairing.kind',
    );
  if (r.pairing.views > 1 && (loss.kind !== 'batch' || r.augmentation.length === 0))
    throw new RecipeError(
      'views of one image differ only by augmentation, and only a batch loss tells them apart: ' +
        'pairing.views > 1 needs a batch loss and an augmentation',
      'pairing.views',
    );
  if (r.pairsPerEpoch < r.batchSize)
    throw new RecipeError(
      `pairsPerEpoch (${r.pairsPerEpoch}) must be at least batchSize (${r.batchSize})`,
      'pairsPerEpoch',
    );
  const classes = classCount ?? 256;
  const bad = r.heldOutClasses.find((c) => c >= classes);
  if (bad !== undefined)
    throw new RecipeError(`held-out class ${bad} does not exist (0..${classes - 1})`, 'heldOutClasses');
  if (classes - new Set(r.heldOutClasses).size < 2)
    throw new RecipeError('heldOutClasses must leave at least 2 classes to train on', 'heldOutClasses');
  checkValidationClasses(r, classes);
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

/** A readout other than the tower's output needs a tower with that map, and a head that compares by cosine. */
function checkReadout(r: TrainRecipe): void {
  if (r.tower.readout === 'output') return;
  const problem = readoutProblem(r.tower.kind, r.tower.readout);
  if (problem) throw new RecipeError(problem, 'tower.readout');
  if (r.head.kind !== 'cosine')
    throw new RecipeError(
      `the '${r.tower.readout}' readout is compared by cosine: it needs the cosine head, not '${r.head.kind}'`,
      'tower.readout',
    );
}

/** Validation classes exist, are distinct, overlap no held-out class and leave 2 classes to train on. */
function checkValidationClasses(r: TrainRecipe, classes: number): void {
  const path = 'validationClasses';
  const { validationClasses: chosen } = r;
  const bad = chosen.find((c) => c >= classes);
  if (bad !== undefined)
    throw new RecipeError(`validation class ${bad} does not exist (0..${classes - 1})`, path);
  if (new Set(chosen).size !== chosen.length)
    throw new RecipeError(`validation classes repeat: ${chosen.join(',')}`, path);
  if (chosen.length === 1)
    throw new RecipeError('validation classes: none, or at least 2 (for episodes)', path);
  const shared = chosen.filter((c) => r.heldOutClasses.includes(c));
  if (shared.length > 0)
    throw new RecipeError(`class ${shared.join(',')} cannot be both held out and a validation class`, path);
  if (seenClasses(r, classes).length < 2)
    throw new RecipeError('held-out and validation classes must leave at least 2 classes to train on', path);
  if (r.refit && chosen.length === 0)
    throw new RecipeError('refit trains again after choosing on validation classes: it needs some', 'refit');
}

/** The final model's recipe of a refit run: the same, on all seen classes, validation classes included. */
export function refitRecipe(recipe: TrainRecipe): TrainRecipe {
  if (!recipe.refit) throw new RecipeError(`recipe ${recipe.run} does not refit`, 'refit');
  return { ...recipe, validationClasses: [], refit: false };
}

/** The classes a recipe trains on: all of the dataset's but the held-out and validation ones. */
export function seenClasses(recipe: TrainRecipe, classCount: number): number[] {
  const kept = new Set([...recipe.heldOutClasses, ...recipe.validationClasses]);
  return Array.from({ length: classCount }, (_, c) => c).filter((c) => !kept.has(c));
}

/**
 * The recipe fields a checkpoint must share with the run that resumes it: what shapes the model, its data and
 * its random streams (augmentation included). Epochs, rates and evaluation sizes may change on resume.
 */
export function resumeKey(recipe: TrainRecipe): Record<string, unknown> {
  const {
    run,
    dataset,
    heldOutClasses,
    validationClasses,
    tower,
    head,
    loss,
    pairing,
    optimizer,
    seed,
    data,
  } = recipe;
  // What matching reads the trained tower by does not change what trains.
  const { readout: _readout, ...trainedTower } = tower;
  return {
    run,
    dataset,
    heldOutClasses,
    validationClasses,
    tower: trainedTower,
    head,
    // The projection's width shapes variables the checkpoint holds; the other loss parameters may change.
    loss: { kind: loss.kind, projection: loss.projection },
    pairing,
    optimizer: optimizer.kind,
    seed,
    data,
    // Only when there is some, so checkpoints made before augmentation existed still resume.
    ...(recipe.augmentation.length > 0 ? { augmentation: recipe.augmentation } : {}),
    ...(recipe.refit ? { refit: true } : {}),
  };
}

/** Some of a recipe's fields; a nested group (optimizer, pairing, …) may give only some of its own. */
export type RecipeOverrides = {
  [K in keyof TrainRecipe]?: TrainRecipe[K] extends readonly unknown[]
    ? TrainRecipe[K]
    : TrainRecipe[K] extends object
      ? Partial<TrainRecipe[K]>
      : TrainRecipe[K];
};

/**
 * The recipe with `overrides` merged in (one level deep, as the recipe nests), checked like any recipe. A readout
 * names a layer of one kind of tower: another tower kind without a readout of its own is read by its output.
 */
export function withOverrides(
  recipe: TrainRecipe,
  overrides: RecipeOverrides,
  classCount?: number,
): TrainRecipe {
  const merged: Record<string, unknown> = { ...recipe };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value);
    merged[key] = nested ? { ...(base as object), ...value } : value;
  }
  const tower = overrides.tower;
  if (tower?.kind !== undefined && tower.kind !== recipe.tower.kind && tower.readout === undefined)
    merged.tower = { ...(merged.tower as object), readout: 'output' };
  return checkRecipe(merged, classCount);
}
