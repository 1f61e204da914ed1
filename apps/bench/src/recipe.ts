import type * as tf from '@tensorflow/tfjs';
import {
  type BenchProtocol,
  buildSiamese,
  checkRecipe,
  createOptimizer,
  datasetSpec,
  LOSSES,
  PAIRINGS,
  type PairLoss,
  preset,
  type SiameseModel,
  seenClasses,
  type TrainRecipe,
  type TtaRun,
  type Variant,
} from '@twinnet/core';
import { throughputBudget } from './protocol.ts';

/** Some of a recipe's fields; a nested group (optimizer, pairing, …) may give only some of its own. */
export type RecipeOverrides = {
  [K in keyof TrainRecipe]?: TrainRecipe[K] extends readonly unknown[]
    ? TrainRecipe[K]
    : TrainRecipe[K] extends object
      ? Partial<TrainRecipe[K]>
      : TrainRecipe[K];
};

/** The recipe with `overrides` merged in (one level deep, as the recipe nests), checked like any recipe. */
export function withOverrides(recipe: TrainRecipe, overrides: RecipeOverrides): TrainRecipe {
  const merged: Record<string, unknown> = { ...recipe };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value);
    merged[key] = nested ? { ...(base as object), ...value } : value;
  }
  return checkRecipe(merged, datasetSpec(recipe.dataset).classNames.length);
}

/** What every measurement of a variant starts from: the MNIST preset the trainer trains, at the bench's seed. */
export function benchRecipe(variant: Variant, protocol: Pick<BenchProtocol, 'seed'>): TrainRecipe {
  return withOverrides(preset('mnist', variant), { seed: protocol.seed });
}

/**
 * The short run: one epoch of the protocol's budget of explicit pairs, so both sides train on the same pairs. One
 * epoch means the constant rate (the cosine schedule starts at the full rate).
 */
export function shortRunRecipe(variant: Variant, protocol: BenchProtocol): TrainRecipe {
  return withOverrides(benchRecipe(variant, protocol), {
    pairing: { kind: 'explicit' },
    epochs: 1,
    pairsPerEpoch: protocol.shortRun.pairs[variant],
  });
}

/** Time to accuracy: the mnist-contrastive preset with the protocol's departures from it. */
export function ttaRecipe(protocol: BenchProtocol): TrainRecipe {
  return withOverrides(benchRecipe('contrastive', protocol), protocol.tta.ours);
}

/**
 * Throughput times explicit-pair steps (what the peer takes) at `batchSize`: one epoch holds the pairs of the
 * warm-up and every round, drawn up front.
 */
export function throughputRecipe(variant: Variant, protocol: BenchProtocol, batchSize: number): TrainRecipe {
  const { warmupSteps, steps, rounds } = throughputBudget(protocol, variant, batchSize);
  return withOverrides(benchRecipe(variant, protocol), {
    pairing: { kind: 'explicit' },
    batchSize,
    pairsPerEpoch: batchSize * (warmupSteps + steps * rounds),
  });
}

/** The classes a recipe trains on (fit's FitData.classes). */
export const trainingClasses = (recipe: TrainRecipe): number[] =>
  seenClasses(recipe, datasetSpec(recipe.dataset).classNames.length);

/**
 * Pairs a training step counts for, whatever the pairing: images through the tower ÷ 2, as an explicit pair puts
 * two through it (an in-batch step of 10 classes × 6 images counts 30, not batchSize ÷ 2).
 */
export function pairEquivalentsPerStep(recipe: TrainRecipe): number {
  const classes = trainingClasses(recipe).length;
  return PAIRINGS.get(recipe.pairing.kind).imagesPerStep(recipe.batchSize, classes) / 2;
}

/** A recipe in the flat form the PyTorch peer reads and the results record. */
export type FlatRecipe = TtaRun['recipe'];

export function flatRecipe(recipe: TrainRecipe): FlatRecipe {
  return {
    tower: recipe.tower.kind,
    head: recipe.head.kind,
    embeddingDim: recipe.tower.embeddingDim,
    optimizer: recipe.optimizer.kind,
    learningRate: recipe.optimizer.learningRate,
    margin: recipe.loss.margin,
    batchSize: recipe.batchSize,
    pairsPerEpoch: recipe.pairsPerEpoch,
  };
}

export interface Training {
  model: SiameseModel;
  optimizer: tf.Optimizer;
  loss: PairLoss;
  /** Threshold on the head's output for the running training accuracy. */
  threshold: number;
}

/** The recipe's pair loss, and the threshold on the head's output its running training accuracy uses. */
export function pairLossOf(recipe: TrainRecipe): { loss: PairLoss; threshold: number } {
  const spec = LOSSES.get(recipe.loss.kind);
  if (spec.kind !== 'pair') throw new Error(`loss '${recipe.loss.kind}' scores whole batches, not pairs`);
  return { loss: spec.create(recipe.loss), threshold: spec.runningThreshold(recipe.loss) };
}

/**
 * The model, optimizer and loss a recipe trains, for measurements that take steps themselves rather than
 * through fit (throughput). The same mapping as fit's; to be replaced by core's if it exports one.
 */
export function buildTraining(recipe: TrainRecipe): Training {
  return {
    model: buildSiamese({
      tower: recipe.tower.kind,
      head: recipe.head.kind,
      embeddingDim: recipe.tower.embeddingDim,
      headHidden: recipe.head.hidden,
      seed: recipe.seed,
    }),
    optimizer: createOptimizer(recipe.optimizer.kind, recipe.optimizer.learningRate),
    ...pairLossOf(recipe),
  };
}
