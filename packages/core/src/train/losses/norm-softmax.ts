import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../random.ts';
import type { BatchLossSpec } from './loss.ts';

export interface NormSoftmaxOptions {
  /** Logits are cosines over this temperature (a scale of 1 / temperature). */
  temperature: number;
  /** Taken off the cosine to the image's own class proxy before scaling (CosFace); 0 is plain NormFace. */
  margin: number;
  /** The training classes as labels: proxy row r belongs to classes[r]. */
  classes: readonly number[];
}

/** A batch loss that also takes the class proxies [classes, d] it scores against (a variable in training). */
export type ProxyLoss = (embeddings: tf.Tensor, labels: ArrayLike<number>, proxies: tf.Tensor) => tf.Scalar;

/**
 * Normalised softmax cross-entropy over the training classes (NormFace, Wang et al. 2017; "classification is a
 * strong baseline for deep metric learning", Zhai & Wu 2019; with a margin, CosFace, Wang et al. 2018): embeddings
 * and one learned proxy per class are L2-normalised, the logits are their cosines over a temperature, the own
 * class's cosine less the margin, and each image's term is −log softmax of its own class. Images whose label has
 * no proxy (classes not trained on, in validation or test sets) are left out; a batch with none of them scores 0.
 * The targets are a one-hot matrix built from the labels, so nothing is gathered (gather's gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks).
 */
export function normalisedSoftmaxLoss({ temperature, margin, classes }: NormSoftmaxOptions): ProxyLoss {
  const rowOf = new Map(classes.map((c, r) => [c, r]));
  return (embeddings, labels, proxies) =>
    tf.tidy(() => {
      const m = labels.length;
      const width = classes.length;
      const targets = new Float32Array(m * width);
      for (let i = 0; i < m; i++) {
        const r = rowOf.get(labels[i]!);
        if (r !== undefined) targets[i * width + r] = 1;
      }
      const y = tf.tensor2d(targets, [m, width]);
      const unit = (x: tf.Tensor) => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-12)));
      const cosine = tf.matMul(unit(embeddings), unit(proxies), false, true);
      const logits = tf.div(tf.sub(cosine, tf.mul(y, margin)), temperature);
      const logProb = tf.sub(logits, tf.logSumExp(logits, 1, true));
      const anchors = tf.sum(y);
      return tf.div(tf.sum(tf.mul(y, tf.neg(logProb))), tf.maximum(anchors, 1)) as tf.Scalar;
    });
}

/** Initial proxies: seeded Gaussian rows with about unit norm (N(0, 1/d) per entry; Box–Muller on the rng). */
export function initialProxies(classes: number, dim: number, rng: Rng): Float32Array {
  const values = new Float32Array(classes * dim);
  for (let i = 0; i < values.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next())) / Math.sqrt(dim);
    const angle = 2 * Math.PI * rng.next();
    values[i] = radius * Math.cos(angle);
    if (i + 1 < values.length) values[i + 1] = radius * Math.sin(angle);
  }
  return values;
}

export const normSoftmax: BatchLossSpec = {
  kind: 'batch',
  summary:
    'normalised softmax over learned class proxies (NormFace; CosFace with a proxy margin), at a temperature',
  create: ({ temperature, proxyMargin }, { classes, dim, rng }) => {
    const initial = tf.tensor2d(initialProxies(classes.length, dim, rng), [classes.length, dim]);
    const proxies = tf.variable(initial, true);
    initial.dispose();
    const score = normalisedSoftmaxLoss({ temperature, margin: proxyMargin, classes });
    return { loss: (embeddings, labels) => score(embeddings, labels, proxies), variables: [proxies] };
  },
};
