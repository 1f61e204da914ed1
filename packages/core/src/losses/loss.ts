import * as tf from '@tensorflow/tfjs';

/**
 * A pair loss takes same-class labels (1 = same, 0 = different; shape [n, 1]) and the head's output [n, 1], and
 * returns the mean of its per-pair terms, each multiplied by its weight when weights [n, 1] are given.
 */
export type PairLoss = (same: tf.Tensor, output: tf.Tensor, weights?: tf.Tensor) => tf.Scalar;

/** A batch loss scores a whole batch of embeddings [m, d] with their class labels, without a head. */
export type BatchLoss = (embeddings: tf.Tensor, labels: ArrayLike<number>) => tf.Scalar;

/** The loss's parameters as a recipe states them; each loss reads the ones it has. */
export interface LossParams {
  /** Contrastive: how far apart different-class pairs are pushed. */
  margin: number;
  /** Softmax losses on cosine similarities (supcon): how sharply similarities are told apart. */
  temperature: number;
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
  create(params: LossParams): BatchLoss;
}

export type LossSpec = PairLossSpec | BatchLossSpec;

/** A recipe's loss, built: on the head's output for pairs, or on a batch's embeddings and labels. */
export type Objective = { kind: 'pair'; loss: PairLoss } | { kind: 'batch'; loss: BatchLoss };

/** The mean of per-pair terms, each multiplied by its weight when weights are given. */
export const weightedMean = (terms: tf.Tensor, weights?: tf.Tensor): tf.Scalar =>
  tf.mean(weights ? tf.mul(terms, weights) : terms) as tf.Scalar;
