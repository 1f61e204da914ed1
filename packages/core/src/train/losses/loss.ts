import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../random.ts';

/**
 * A pair loss takes same-class labels (1 = same, 0 = different; shape [n, 1]) and the head's output [n, 1], and
 * returns the mean of its per-pair terms, each multiplied by its weight when weights [n, 1] are given.
 */
export type PairLoss = (same: tf.Tensor, output: tf.Tensor, weights?: tf.Tensor) => tf.Scalar;

/** A batch loss scores a whole batch of embeddings [m, d] with their class labels, without a head. */
export type BatchLoss = (
  embeddings: tf.Tensor,
  labels: ArrayLike<number>,
  /** With several views per image: which rows are views of one image (equal numbers); absent, all distinct. */
  instances?: ArrayLike<number>,
) => tf.Scalar;

/** The loss's parameters as a recipe states them; each loss reads the ones it has. */
export interface LossParams {
  /** Contrastive: how far apart different-class pairs are pushed. */
  margin: number;
  /** Softmax losses on cosine similarities (supcon, norm-softmax): how sharply similarities are told apart. */
  temperature: number;
  /** Multi-similarity: the weight α of positive pairs' similarities. */
  msAlpha: number;
  /** Multi-similarity: the weight β of negative pairs' similarities. */
  msBeta: number;
  /** Multi-similarity: the similarity λ that positives are pulled above and negatives pushed below. */
  msBase: number;
  /** Multi-similarity's pair mining: the slack ε around each anchor's hardest positive and hardest negative. */
  msEpsilon: number;
  /** Supcon with views: the share of the loss that tells images apart rather than classes. */
  instanceWeight: number;
  /** Normalised softmax: the margin taken off the cosine to the image's own class proxy (CosFace; 0 = NormFace). */
  proxyMargin: number;
}

/** What a batch loss is built for in a run: a loss that learns weights of its own (class proxies) sizes them here. */
export interface LossContext {
  /** The training classes, as labels: a proxy loss keeps one proxy per class, in this order. */
  classes: readonly number[];
  /** The embedding's width. */
  dim: number;
  /** Draws the loss's own initial weights. */
  rng: Rng;
}

/**
 * A batch loss built for a run, with the trainable variables it owns (a proxy loss's proxies; none for most).
 * The optimizer updates them beside the tower and checkpoints carry them, but they are no part of the tower's saved
 * model: whoever builds one disposes its variables (disposeObjective).
 */
export interface OwnedBatchLoss {
  loss: BatchLoss;
  variables: readonly tf.Variable[];
}

interface LossBase {
  readonly summary: string;
}

/** Scores the head's output on pairs: works with explicit and in-batch pairing. */
export interface PairLossSpec extends LossBase {
  readonly kind: 'pair';
  /** The heads whose output this loss understands. */
  readonly heads: readonly string[];
  create(params: LossParams): PairLoss;
  /** Where the head's output divides "same" from "different" before any threshold is chosen (training accuracy). */
  runningThreshold(params: LossParams): number;
}

/** Scores embeddings and labels of a class-balanced batch directly: needs in-batch pairing. */
export interface BatchLossSpec extends LossBase {
  readonly kind: 'batch';
  create(params: LossParams, context: LossContext): OwnedBatchLoss;
}

export type LossSpec = PairLossSpec | BatchLossSpec;

/** A recipe's loss, built: on the head's output for pairs, or on a batch's embeddings and labels. */
export type Objective =
  | { kind: 'pair'; loss: PairLoss }
  | { kind: 'batch'; loss: BatchLoss; variables: readonly tf.Variable[] };

/** The variables an objective owns besides the model's (a proxy loss's proxies): trained, checkpointed, not exported. */
export const objectiveVariables = (objective: Objective): readonly tf.Variable[] =>
  objective.kind === 'batch' ? objective.variables : [];

/** Frees the variables an objective owns; the model's weights are the caller's to free (disposeSiamese). */
export function disposeObjective(objective: Objective): void {
  for (const v of objectiveVariables(objective)) if (!v.isDisposed) v.dispose();
}

/** The mean of per-pair terms, each multiplied by its weight when weights are given. */
export const weightedMean = (terms: tf.Tensor, weights?: tf.Tensor): tf.Scalar =>
  tf.mean(weights ? tf.mul(terms, weights) : terms) as tf.Scalar;
