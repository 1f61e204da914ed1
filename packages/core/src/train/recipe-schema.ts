import { z } from 'zod';
import { datasetNames } from '../datasets.ts';
import { READOUTS } from '../model/readout.ts';
import { AugmentationSchema } from './augment/index.ts';

/**
 * The training recipe: everything that defines one run, in one schema. Presets are recipes; the trainer's flags,
 * the checkpoint, metrics.json and the bench's protocol all carry this object rather than restating its fields.
 * Every number has a range, so a recipe from any door (CLI, API, file) is checked the same way.
 */
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const positive = (max: number) => z.number().positive().max(max);
/** A registry entry's name; checkRecipe checks it against the registry (this module stays free of tfjs). */
const kindName = z.string().min(1);

/**
 * The loss parameters a recipe may leave out, at their defaults: spread them into a loss object that states only
 * its kind and margin. Multi-similarity's are those of pytorch-metric-learning (α 2, β 50, λ 0.5) and the
 * paper's mining slack ε 0.1; proxyMargin 0 is plain normalised softmax (NormFace).
 */
export const LOSS_DEFAULTS = {
  temperature: 0.1,
  msAlpha: 2,
  msBeta: 50,
  msBase: 0.5,
  msEpsilon: 0.1,
  proxyMargin: 0,
  projection: 0,
  instanceWeight: 0,
} as const;

/**
 * What a run's open-set cut is chosen for: the best F1 of "known", or the most recall at a precision of at least
 * `min` (TensorFlow Similarity's calibrate offers the same two).
 */
export const OpenSetTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('best-f1') }),
  z.object({ kind: z.literal('precision'), min: z.number().gt(0).max(1) }),
]);

export const TrainRecipeSchema = z.object({
  /** The run's name: its folder under artifacts/. */
  run: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lower-case folder name: letters, digits, . _ -'),
  dataset: z.enum(datasetNames()),
  /** A preset's family (contrastive, bce): a label for tables, not a setting. */
  variant: z.string().min(1),
  /** Classes never shown in training, kept for one-shot episodes on unseen classes. */
  heldOutClasses: z.array(int(0, 255)),
  /**
   * Classes also kept out of training, for every choice a transfer run makes (per-epoch transfer figures, the
   * threshold, the open-set cut): disjoint from the held-out classes, so nothing about those steers the run.
   */
  validationClasses: z.array(int(0, 255)).default([]),
  /**
   * With validation classes: once they have made the run's choices (the open-set cut, the per-epoch transfer
   * figures), train the final model again on all seen classes, validation classes included. More classes to
   * learn from is what transfer needs most; the choices carry over, as in k-fold selection.
   */
  refit: z.boolean().default(false),
  tower: z.object({
    kind: kindName,
    embeddingDim: int(1, 4096),
    /** Towers built in stages (vgg): a multiplier of every stage's channels, to trade accuracy for speed. */
    width: z.number().min(0.25).max(4).default(1),
    /** What matching embeds by once trained: the tower's output, or an earlier feature map (model/readout.ts). */
    readout: z.enum(READOUTS).default('output'),
  }),
  head: z.object({ kind: kindName, hidden: int(1, 4096) }),
  /** The loss and its parameters; each loss reads the ones it has, the others keep their defaults. */
  loss: z.object({
    kind: kindName,
    margin: positive(100),
    temperature: positive(10).default(LOSS_DEFAULTS.temperature),
    msAlpha: positive(100).default(LOSS_DEFAULTS.msAlpha),
    msBeta: positive(1000).default(LOSS_DEFAULTS.msBeta),
    msBase: z.number().min(-1).max(1).default(LOSS_DEFAULTS.msBase),
    msEpsilon: z.number().min(0).max(2).default(LOSS_DEFAULTS.msEpsilon),
    proxyMargin: z.number().min(0).max(1).default(LOSS_DEFAULTS.proxyMargin),
    /** Batch losses: width of a projection head the loss scores instead of the embedding (0 = none). */
    projection: int(0, 4096).default(LOSS_DEFAULTS.projection),
    /** Supcon with views: the share of the loss given to telling images apart (SimCLR), the rest to classes. */
    instanceWeight: z.number().min(0).max(1).default(LOSS_DEFAULTS.instanceWeight),
  }),
  /** How an epoch forms its pairs; balance weighs same and different in-batch pairs to half the loss each. */
  pairing: z.object({
    kind: kindName,
    balance: z.boolean(),
    /**
     * In-batch with a batch loss: each drawn image enters the batch this many times, each view augmented on its own
     * draws, and the loss learns which views share an image (loss.instanceWeight) beside which share a class.
     */
    views: int(1, 4).default(1),
  }),
  /** Pairs per step (explicit), or images per step rounded down to whole classes (in-batch). */
  batchSize: int(2, 4096),
  /** An epoch takes as many steps as this many explicit pairs would at batchSize. */
  pairsPerEpoch: int(2, 10_000_000),
  /** Label-preserving augmentations of training images, applied in order, drawn per image (augment/). */
  augmentation: z.array(AugmentationSchema),
  optimizer: z.object({ kind: kindName, learningRate: positive(10) }),
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
    /** Runs with validation classes: what their open-set cuts are chosen for. */
    openSetTarget: OpenSetTargetSchema.default({ kind: 'best-f1' }),
  }),
});
export type TrainRecipe = z.infer<typeof TrainRecipeSchema>;
