import {
  aucAtChance,
  type Chance,
  chanceAucNoise,
  PRESET_VARIANTS,
  type PresetVariant,
  preset,
  type TrainRecipe,
} from '@twinnet/core';
import { RECIPE_FLAGS, type RecipeFlag } from './cli-args.ts';

/** The flags that shape what a run can learn (not its seed or the size of its evaluations). */
const LEARNING_FLAGS = RECIPE_FLAGS.filter(
  (f) => f.path[0] !== 'evaluation' && f.path[0] !== 'seed' && f.path[0] !== 'pairsPerEpoch',
);

/**
 * Whether a run ended at chance, from its final test figures alone (test pairs are half same, half different:
 * samplePairs), and, if it did, what to change: the learning settings where it left its preset, then the rate
 * and the length of training.
 */
export function chanceCheck(recipe: TrainRecipe, test: { pairs: number; auc: number }): Chance {
  const positives = Math.ceil(test.pairs / 2);
  const negatives = test.pairs - positives;
  const atChance = aucAtChance(test.auc, positives, negatives);
  return {
    atChance,
    auc: test.auc,
    aucNoise: chanceAucNoise(positives, negatives),
    advice: atChance ? advice(recipe) : [],
  };
}

function advice(recipe: TrainRecipe): string[] {
  const lines: string[] = [];
  const base = presetOf(recipe);
  const changed = base ? LEARNING_FLAGS.filter((f) => valueAt(recipe, f) !== valueAt(base, f)) : [];
  if (base && changed.length > 0)
    lines.push(
      `go back towards the ${base.run} preset, which trains: ` +
        changed
          .map((f) => `--${f.flag} ${valueAt(recipe, f)} (the preset has ${valueAt(base, f)})`)
          .join(', '),
    );
  lines.push(
    `lower --learning-rate (now ${recipe.optimizer.learningRate}), or train longer (--epochs, now ${recipe.epochs})`,
  );
  return lines;
}

function presetOf(recipe: TrainRecipe): TrainRecipe | undefined {
  if (!(PRESET_VARIANTS as readonly string[]).includes(recipe.variant)) return undefined;
  return preset(recipe.dataset, recipe.variant as PresetVariant, recipe.heldOutClasses.length > 0);
}

function valueAt(recipe: TrainRecipe, { path }: RecipeFlag): unknown {
  const outer = (recipe as unknown as Record<string, unknown>)[path[0]];
  return path.length === 1 ? outer : (outer as Record<string, unknown>)[path[1]];
}

/** One line for the run's summary: what chance means here and what to try. */
export function describeChance(run: string, chance: Chance): string {
  return (
    `${run}: warning: ended at chance: test AUC ${chance.auc.toFixed(4)} is within ±${chance.aucNoise.toFixed(4)} ` +
    `of 0.5, so the model tells same from different no better than a coin. Try: ${chance.advice.join('; ')}`
  );
}
