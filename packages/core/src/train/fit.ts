import type * as tf from '@tensorflow/tfjs';
import { datasetSpec } from '../datasets.ts';
import { embed, embeddingSimilarity, scoreWithObjective } from '../eval/evaluate.ts';
import { type EpisodeResult, episodeAccuracy, type SimilarityFn } from '../eval/metrics/episodes.ts';
import { chooseThreshold } from '../eval/metrics/threshold.ts';
import { buildSiamese, type SiameseModel } from '../model/siamese.ts';
import type { Rng } from '../random.ts';
import type { EpochRecord } from '../schemas/artifacts.ts';
import { createAugmenter } from './augment/augmenter.ts';
import {
  type BatchLossSpec,
  LOSSES,
  type LossContext,
  type Objective,
  type OwnedBatchLoss,
  objectiveVariables,
} from './losses/index.ts';
import { withProjection } from './losses/projection.ts';
import { createOptimizer } from './optimizers/index.ts';
import { type EpochPlan, PAIRINGS } from './pairings/index.ts';
import { indexByClass, type Pairs, samplePairs } from './pairs.ts';
import { seenClasses, type TrainRecipe } from './recipe.ts';
import { cosineRate, setLearningRate } from './schedule.ts';
import { NonFiniteLossError } from './steps.ts';
import { recipeStream, STREAM } from './streams.ts';

/** Images (uint8, 28×28 each) and their labels. */
export interface LabelledImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** What fit trains on: images of the recipe's seen classes only (prepareData makes these). */
export interface FitData {
  train: LabelledImages;
  /** Scored after every epoch to choose the threshold; without it, epochs are not validated. */
  validation?: LabelledImages;
  /** The classes in `train`. */
  classes: readonly number[];
  /** Validation classes never trained on, when `validation` holds those rather than the training classes. */
  validationClasses?: readonly number[];
}

/** Where a run stands: what a checkpoint saves and a resume restores. */
export interface FitState {
  epochsDone: number;
  history: EpochRecord[];
  /** Training seconds so far, evaluation not counted. */
  seconds: number;
  /** Set when the run stopped inside an epoch: the steps taken in it and their running sums. */
  partial?: {
    epoch: number;
    steps: number;
    lossSum: number;
    correct: number;
    /** What the running accuracy was taken over (pairs, or images for a batch loss). */
    scored: number;
    pairs: number;
    seconds: number;
  };
}

export interface StepEvent {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Pairs scored so far in this epoch, and their mean loss. */
  pairs: number;
  loss: number;
  model: SiameseModel;
}

export interface FitHooks {
  /** Stops the run after the current step; the state is checkpointed, mid-epoch, and fit returns 'aborted'. */
  signal?: AbortSignal;
  /**
   * Restores a checkpoint into the fresh model and optimizer, and into the loss's own variables (a proxy loss's
   * proxies; none for most losses); undefined starts from scratch.
   */
  restore?(
    model: SiameseModel,
    optimizer: tf.Optimizer,
    lossVariables: readonly tf.Variable[],
  ): Promise<FitState | undefined>;
  /** Called after every validated epoch and when aborted; a checkpoint saves the loss's variables too. */
  checkpoint?(
    model: SiameseModel,
    optimizer: tf.Optimizer,
    state: FitState,
    lossVariables: readonly tf.Variable[],
  ): Promise<void>;
  onEpochStart?(event: { epoch: number; epochs: number; steps: number }): void;
  onStep?(event: StepEvent): void;
  onEpoch?(record: EpochRecord, state: FitState): void;
  /** The generator an epoch's pairs are drawn from; default: the recipe's own stream for that epoch. */
  epochRng?(epoch: number): Rng;
}

/** What a recipe trains: the model, its optimizer, the loss and the running-accuracy threshold. */
export interface Training {
  model: SiameseModel;
  optimizer: tf.Optimizer;
  objective: Objective;
  /** Where the head's output divides same from different before any threshold is chosen (pair losses). */
  threshold: number;
}

/**
 * Builds what a recipe trains; fit starts here, and so do measurements that take steps themselves. `classes` are
 * the training classes (a proxy loss keeps one proxy per class); default: the recipe's seen classes.
 */
export function buildTraining(
  recipe: TrainRecipe,
  classes: readonly number[] = seenClasses(recipe, datasetSpec(recipe.dataset).classNames.length),
): Training {
  const spec = LOSSES.get(recipe.loss.kind);
  const lossContext = {
    classes,
    dim: recipe.tower.embeddingDim,
    rng: recipeStream(recipe.seed, STREAM.lossWeights),
  };
  return {
    model: buildSiamese({
      tower: recipe.tower.kind,
      head: recipe.head.kind,
      embeddingDim: recipe.tower.embeddingDim,
      towerWidth: recipe.tower.width,
      readout: recipe.tower.readout,
      headHidden: recipe.head.hidden,
      seed: recipe.seed,
    }),
    optimizer: createOptimizer(recipe.optimizer.kind, recipe.optimizer.learningRate),
    objective:
      spec.kind === 'pair'
        ? { kind: 'pair', loss: spec.create(recipe.loss) }
        : { kind: 'batch', ...createBatchLoss(spec, recipe, lossContext) },
    threshold: spec.kind === 'pair' ? spec.runningThreshold(recipe.loss) : Number.NaN,
  };
}

/** The recipe's batch loss, behind a projection head when the recipe asks for one. */
function createBatchLoss(spec: BatchLossSpec, recipe: TrainRecipe, context: LossContext): OwnedBatchLoss {
  const { projection } = recipe.loss;
  if (projection === 0) return spec.create(recipe.loss, context);
  return withProjection(context.dim, projection, context.rng, (width) =>
    spec.create(recipe.loss, { ...context, dim: width }),
  );
}

export interface FitResult {
  status: 'done' | 'aborted';
  model: SiameseModel;
  optimizer: tf.Optimizer;
  state: FitState;
  objective: Objective;
  /** The validation pairs every epoch was scored on (absent without validation data). */
  validationPairs?: Pairs;
}

/**
 * Trains a model by its recipe: builds it, then epoch after epoch draws pairs by the recipe's pairing, takes
 * optimizer steps at the scheduled rate, stops on a non-finite loss, validates and chooses the threshold, and
 * hands checkpoints and progress to the caller. The caller owns the model and optimizer it returns.
 */
export async function fit(recipe: TrainRecipe, data: FitData, hooks: FitHooks = {}): Promise<FitResult> {
  const { model, optimizer, objective, threshold } = buildTraining(recipe, data.classes);
  const lossVariables = objectiveVariables(objective);
  const validationPairs =
    data.validation &&
    samplePairs(
      indexByClass(data.validation.labels, data.validationClasses ?? data.classes),
      recipe.evaluation.validationPairs,
      recipeStream(recipe.seed, STREAM.validationPairs),
    );
  let state: FitState = (await hooks.restore?.(model, optimizer, lossVariables)) ?? {
    epochsDone: 0,
    history: [],
    seconds: 0,
  };
  const index = indexByClass(data.train.labels, data.classes);
  const pairing = PAIRINGS.get(recipe.pairing.kind);
  for (let epoch = state.epochsDone + 1; epoch <= recipe.epochs; epoch++) {
    setLearningRate(
      optimizer,
      cosineRate(recipe.optimizer.learningRate, epoch, recipe.epochs, recipe.schedule.floor),
    );
    const plan = pairing.plan({
      model,
      optimizer,
      objective,
      images: data.train.images,
      index,
      batchSize: recipe.batchSize,
      pairsPerEpoch: recipe.pairsPerEpoch,
      balance: recipe.pairing.balance,
      views: recipe.pairing.views,
      rng: hooks.epochRng?.(epoch) ?? recipeStream(recipe.seed, STREAM.epoch + epoch),
      threshold,
      augment: createAugmenter(recipe.augmentation, recipeStream(recipe.seed, STREAM.augment + epoch)),
    });
    hooks.onEpochStart?.({ epoch, epochs: recipe.epochs, steps: plan.steps });
    const run = await runEpoch(plan, epoch, recipe, state, model, hooks);
    if (run.stopped) {
      state = { ...state, seconds: state.seconds + run.seconds, partial: run.partial };
      await hooks.checkpoint?.(model, optimizer, state, lossVariables);
      return {
        status: 'aborted',
        model,
        optimizer,
        state,
        objective,
        ...(validationPairs ? { validationPairs } : {}),
      };
    }
    const record = validateEpoch(epoch, run, model, objective, data, validationPairs);
    state = { epochsDone: epoch, history: [...state.history, record], seconds: state.seconds + run.seconds };
    if (validationPairs) await hooks.checkpoint?.(model, optimizer, state, lossVariables);
    hooks.onEpoch?.(record, state);
  }
  return {
    status: 'done',
    model,
    optimizer,
    state,
    objective,
    ...(validationPairs ? { validationPairs } : {}),
  };
}

interface EpochRun {
  stopped: boolean;
  /** This session's training seconds in the epoch (a resumed epoch's earlier seconds are in `partial`). */
  seconds: number;
  /** The epoch's running sums so far, whole when the epoch was not stopped. */
  partial: NonNullable<FitState['partial']>;
}

/** The steps of one epoch; a resumed epoch first redraws the steps already taken, so it continues exactly. */
async function runEpoch(
  plan: EpochPlan,
  epoch: number,
  recipe: TrainRecipe,
  state: FitState,
  model: SiameseModel,
  hooks: FitHooks,
): Promise<EpochRun> {
  const resumed = state.partial?.epoch === epoch ? state.partial : undefined;
  for (let s = 0; s < (resumed?.steps ?? 0); s++) plan.skip();
  const sums = { lossSum: 0, correct: 0, scored: 0, pairs: 0, ...resumed, epoch, steps: resumed?.steps ?? 0 };
  const stepOffset = (epoch - 1) * plan.steps;
  const started = performance.now();
  let stopped = false;
  while (sums.steps < plan.steps) {
    if (hooks.signal?.aborted) {
      stopped = true;
      break;
    }
    const outcome = plan.step();
    sums.steps++;
    if (!Number.isFinite(outcome.loss)) throw new NonFiniteLossError(outcome.loss, stepOffset + sums.steps);
    sums.lossSum += outcome.loss * outcome.pairs;
    sums.correct += outcome.correct;
    sums.scored += outcome.scored;
    sums.pairs += outcome.pairs;
    const { steps: step, pairs } = sums;
    hooks.onStep?.({
      epoch,
      epochs: recipe.epochs,
      step,
      steps: plan.steps,
      pairs,
      loss: sums.lossSum / pairs,
      model,
    });
    // Yield to the event loop now and then so signals and progress output get through.
    if (step % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const seconds = (performance.now() - started) / 1000;
  return { stopped, seconds, partial: { ...sums, seconds: (resumed?.seconds ?? 0) + seconds } };
}

/** The epoch's record: training figures, and validation loss, accuracy and threshold when there is validation. */
function validateEpoch(
  epoch: number,
  { partial }: EpochRun,
  model: SiameseModel,
  objective: Objective,
  data: FitData,
  validationPairs: Pairs | undefined,
): EpochRecord {
  const record = {
    epoch,
    trainLoss: partial.lossSum / partial.pairs,
    trainAccuracy: partial.correct / partial.scored,
    seconds: partial.seconds,
    pairsPerSecond: partial.pairs / partial.seconds,
  };
  if (!data.validation || !validationPairs)
    return { ...record, valLoss: Number.NaN, valAccuracy: Number.NaN, valThreshold: Number.NaN };
  const { images, labels } = data.validation;
  const embeddings = embed(model.readout, images);
  const scored = scoreWithObjective(model, objective, { images, labels, embeddings }, validationPairs);
  const choice = chooseThreshold(scored.scores, validationPairs.same, model.polarity);
  return {
    ...record,
    valLoss: scored.loss,
    valAccuracy: choice.accuracy,
    valThreshold: choice.threshold,
    ...(data.validationClasses
      ? { valTransfer: validationTransfer(data, embeddingSimilarity(model, embeddings)) }
      : {}),
  };
}

/** Episodes per epoch on the validation classes: a ±1-point interval, to choose between recipes a few points apart. */
const VALIDATION_EPISODES = 2000;

/**
 * N-way 1-shot on all N validation classes, the same episodes every epoch (one fixed stream), scored by
 * `similarity`: the model's, or rawPixelSimilarity for the no-model baseline on the same episodes.
 */
export function validationTransfer(data: FitData, similarity: SimilarityFn): EpisodeResult {
  const classes = data.validationClasses;
  if (!classes || !data.validation) throw new Error('validation transfer needs validation classes');
  return episodeAccuracy({
    labels: data.validation.labels,
    classes,
    ways: classes.length,
    shots: 1,
    episodes: VALIDATION_EPISODES,
    rng: recipeStream(0, STREAM.validationEpisodes),
    similarity,
  });
}
