import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../random.ts';
import type { OwnedBatchLoss } from './loss.ts';
import { initialProxies } from './norm-softmax.ts';

/**
 * A projection head between the tower and a batch loss (SimCLR, SupCon): the loss scores a two-layer MLP's output,
 * ReLU(e·W1 + b1)·W2, and the tower's own embedding is what gets matched. The loss may then collapse each training
 * class onto a point in the projection's space while the embedding keeps what tells new classes apart. The head's
 * weights belong to the loss: trained and checkpointed, never part of the exported tower.
 */
export function withProjection(
  dim: number,
  width: number,
  rng: Rng,
  inner: (width: number) => OwnedBatchLoss,
): OwnedBatchLoss {
  // He-scaled Gaussians (variance 2/fan-in) before the ReLU, 1/fan-in after it.
  const variable = (initial: tf.Tensor) => {
    const v = tf.variable(initial, true);
    initial.dispose();
    return v;
  };
  const gaussian = (rows: number, cols: number, gain: number) =>
    variable(
      tf.tidy(() =>
        tf.mul(tf.tensor2d(initialProxies(rows, cols, rng), [rows, cols]), gain * Math.sqrt(cols / rows)),
      ),
    );
  const w1 = gaussian(dim, dim, Math.SQRT2);
  const b1 = variable(tf.zeros([dim]));
  const w2 = gaussian(dim, width, 1);
  const scored = inner(width);
  return {
    loss: (embeddings, labels, instances) =>
      tf.tidy(() =>
        scored.loss(tf.matMul(tf.relu(tf.add(tf.matMul(embeddings, w1), b1)), w2), labels, instances),
      ),
    variables: [w1, b1, w2, ...scored.variables],
  };
}
