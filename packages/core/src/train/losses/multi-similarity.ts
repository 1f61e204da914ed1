import * as tf from '@tensorflow/tfjs';
import type { BatchLoss, BatchLossSpec } from './loss.ts';

/** Stands in for −∞ in a masked log-sum-exp: exp() of it is 0, and 0 times it stays 0 (−∞ would give NaN). */
const EXCLUDED = -1e9;

export interface MultiSimilarityOptions {
  /** Weight of positive pairs' similarities (α). */
  alpha: number;
  /** Weight of negative pairs' similarities (β). */
  beta: number;
  /** The similarity λ positives are pulled above and negatives pushed below. */
  base: number;
  /** Mining slack ε: see msPairMasks. */
  epsilon: number;
}

/**
 * Multi-similarity's pair mining (Wang et al. 2019, eq. 7–8) on an m × m similarity matrix: for anchor i, a negative
 * j is kept when S_ij + ε > the anchor's hardest (least similar) positive, a positive j when S_ij − ε < its hardest
 * (most similar) negative. An anchor without a positive or without a negative keeps no pair. Kept positives and
 * kept negatives are either both empty or both not (each condition implies the other's), so an anchor has a term
 * of both kinds or none. Plain numbers in, 0/1 masks out: the mining is a choice of pairs, not a function to
 * differentiate.
 */
export function msPairMasks(
  similarity: ArrayLike<number>,
  labels: ArrayLike<number>,
  epsilon: number,
): { positives: Float32Array; negatives: Float32Array } {
  const m = labels.length;
  const positives = new Float32Array(m * m);
  const negatives = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    let hardestPositive = Number.POSITIVE_INFINITY;
    let hardestNegative = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const s = similarity[i * m + j]!;
      if (labels[j] === labels[i]) hardestPositive = Math.min(hardestPositive, s);
      else hardestNegative = Math.max(hardestNegative, s);
    }
    if (hardestPositive === Number.POSITIVE_INFINITY || hardestNegative === Number.NEGATIVE_INFINITY)
      continue;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const s = similarity[i * m + j]!;
      if (labels[j] === labels[i]) positives[i * m + j] = s - epsilon < hardestNegative ? 1 : 0;
      else negatives[i * m + j] = s + epsilon > hardestPositive ? 1 : 0;
    }
  }
  return { positives, negatives };
}

/**
 * Multi-similarity loss (Wang et al. 2019, "Multi-Similarity Loss with General Pair Weighting") on the cosine
 * similarities S of L2-normalised embeddings, with the paper's pair mining (msPairMasks). Per anchor i,
 *   (1/α) log(1 + Σ_{kept positives k} e^{−α(S_ik − λ)}) + (1/β) log(1 + Σ_{kept negatives k} e^{β(S_ik − λ)}),
 * summed over anchors and divided by the batch size m, anchors without kept pairs counted (as the paper and its
 * code do). The mining is computed on a copy of the similarities, so no gradient flows through the choice of
 * pairs; the sums are masked log-sum-exps (no gather, whose gradient the wasm backend lacks).
 */
export function multiSimilarityLoss({ alpha, beta, base, epsilon }: MultiSimilarityOptions): BatchLoss {
  return (embeddings, labels) =>
    tf.tidy(() => {
      const m = labels.length;
      const z = tf.div(embeddings, tf.sqrt(tf.maximum(tf.sum(tf.square(embeddings), 1, true), 1e-12)));
      const similarity = tf.matMul(z, z, false, true);
      const masks = msPairMasks(similarity.dataSync(), labels, epsilon);
      const positives = tf.tensor2d(masks.positives, [m, m]);
      const negatives = tf.tensor2d(masks.negatives, [m, m]);
      // log(1 + Σ_kept e^x) as a log-sum-exp over a zero column and the kept entries, the rest sent to −∞.
      const softplusSum = (x: tf.Tensor, kept: tf.Tensor) =>
        tf.logSumExp(
          tf.concat([tf.zeros([m, 1]), tf.add(tf.mul(x, kept), tf.mul(tf.sub(1, kept), EXCLUDED))], 1),
          1,
        );
      const shifted = tf.sub(similarity, base);
      const pull = tf.div(softplusSum(tf.mul(shifted, -alpha), positives), alpha);
      const push = tf.div(softplusSum(tf.mul(shifted, beta), negatives), beta);
      return tf.div(tf.sum(tf.add(pull, push)), m) as tf.Scalar;
    });
}

export const multiSimilarity: BatchLossSpec = {
  kind: 'batch',
  summary: 'multi-similarity (Wang et al. 2019) with its pair mining, on cosine similarities',
  create: ({ msAlpha, msBeta, msBase, msEpsilon }) => ({
    loss: multiSimilarityLoss({ alpha: msAlpha, beta: msBeta, base: msBase, epsilon: msEpsilon }),
    variables: [],
  }),
};
