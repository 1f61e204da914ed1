import {
  type BenchProtocol,
  datasetSpec,
  withOverrides as mergeOverrides,
  PAIRINGS,
  preset,
  type RecipeOverrides,
  seenClasses,
  type TrainRecipe,
  type TtaRun,
  type Variant,
} from '@twinnet/core';
import { throughputBudget } from './protocol.ts';

/** The recipe with `overrides` merged in and checked against its dataset's classes. */
function withOverrides(recipe: TrainRecipe, overrides: RecipeOverrides): TrainRecipe {
  return mergeOverrides(recipe, overrides, datasetSpec(recipe.dataset).classNames.length);
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

/** The cosine classifier's temperature: logits are cosines × 16. */
export const CLASSIFIER_TEMPERATURE = 1 / 16;

/**
 * The classifier workload's recipe: the vgg tower (128-wide embedding) trained by normalised softmax over a learnt
 * proxy per training class (NormFace, no margin, no projection head) at temperature 1/16, Adam 2e-3, on in-batch
 * P×K batches of the protocol's classes (7 × 32 = 224 images a step; classes 7–9 held out). Built on the metric
 * preset with everything that shapes the step overridden, and no augmentation: the peer has none either.
 */
export function classifierRecipe(protocol: BenchProtocol): TrainRecipe {
  const workload = protocol.classifier;
  if (!workload) throw new Error('the protocol has no classifier workload');
  const classCount = datasetSpec('mnist').classNames.length;
  const batchSize = workload.classes.length * workload.perClass;
  return withOverrides(preset('mnist', 'metric'), {
    seed: protocol.seed,
    heldOutClasses: Array.from({ length: classCount }, (_, c) => c).filter(
      (c) => !workload.classes.includes(c),
    ),
    validationClasses: [],
    refit: false,
    tower: { kind: workload.tower, embeddingDim: 128 },
    head: { kind: 'cosine' },
    loss: { kind: 'norm-softmax', temperature: CLASSIFIER_TEMPERATURE, proxyMargin: 0, projection: 0 },
    pairing: { kind: 'in-batch', balance: false, views: 1 },
    batchSize,
    // One epoch holds every step of the warm-up and the rounds (in-batch steps are 2 × pairsPerEpoch ÷ batch).
    pairsPerEpoch: (batchSize * (workload.warmupSteps + workload.steps * workload.rounds + 1)) / 2,
    augmentation: [],
    optimizer: { kind: 'adam', learningRate: 0.002 },
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
