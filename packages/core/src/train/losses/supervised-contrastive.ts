import * as tf from '@tensorflow/tfjs';
import type { BatchLoss, BatchLossSpec } from './loss.ts';

/** Stands in for −∞ on the diagonal: exp() of it is 0, and 0 times it stays 0 (−∞ would give NaN). */
const EXCLUDED = -1e9;

/**
 * Supervised contrastive loss (Khosla et al. 2020, "SupCon", the L_out form): embeddings are L2-normalised and
 * compared by cosine similarity over a temperature; for each anchor, the mean over its same-class images of
 * −log softmax among all other images of the batch. Anchors without a same-class partner are left out.
 */
export function supervisedContrastiveLoss(temperature: number): BatchLoss {
  return (embeddings, labels) =>
    tf.tidy(() => {
      const m = labels.length;
      const self = tf.eye(m);
      const positives = tf.tensor2d(
        Float32Array.from({ length: m * m }, (_, k) => {
          const i = Math.floor(k / m);
          const j = k % m;
          return i !== j && labels[i] === labels[j] ? 1 : 0;
        }),
        [m, m],
      );
      const z = tf.div(embeddings, tf.sqrt(tf.maximum(tf.sum(tf.square(embeddings), 1, true), 1e-12)));
      const logits = tf.add(tf.div(tf.matMul(z, z, false, true), temperature), tf.mul(self, EXCLUDED));
      const logProb = tf.sub(logits, tf.logSumExp(logits, 1, true));
      const counts = tf.sum(positives, 1);
      const perAnchor = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.maximum(counts, 1));
      const anchors = tf.cast(tf.greater(counts, 0), 'float32');
      return tf.div(tf.neg(tf.sum(tf.mul(perAnchor, anchors))), tf.maximum(tf.sum(anchors), 1)) as tf.Scalar;
    });
}

export const supcon: BatchLossSpec = {
  kind: 'batch',
  summary:
    'supervised contrastive (NT-Xent with labels) on L2-normalised embeddings, at a temperature; with views, ' +
    'part instance discrimination (SimCLR)',
  create: ({ temperature, instanceWeight }) => ({
    loss: withInstances(supervisedContrastiveLoss(temperature), instanceWeight),
    variables: [],
  }),
};

/**
 * (1 − w) × the loss over classes + w × the same loss over instances, where the only positives are other views of
 * the image itself (NT-Xent, SimCLR): features that tell images apart, not only the training classes, carry
 * over to classes never seen. Without views (no instances) or with w = 0, the class loss alone.
 */
export function withInstances(loss: BatchLoss, weight: number): BatchLoss {
  if (weight === 0) return loss;
  return (embeddings, labels, instances) => {
    if (!instances) return loss(embeddings, labels);
    return tf.tidy(
      () =>
        tf.add(
          tf.mul(loss(embeddings, labels), 1 - weight),
          tf.mul(loss(embeddings, instances), weight),
        ) as tf.Scalar,
    );
  };
}
