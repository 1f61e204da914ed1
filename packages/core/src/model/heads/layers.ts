import * as tf from '@tensorflow/tfjs';

/** Keras's epsilon: the floor under the squared distance, so sqrt has a finite gradient at zero distance. */
const EPSILON = 1e-7;

/**
 * Euclidean distance between two embeddings, as a proper registered layer (tfjs has no Lambda layer), so a
 * saved pair model loads anywhere that imports @twinnet/core.
 */
export class EuclideanDistance extends tf.layers.Layer {
  static readonly className = 'EuclideanDistance';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const first = (inputShape as tf.Shape[])[0]!;
    return [first[0]!, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      return euclideanDistance(a!, b!);
    });
  }
}
tf.serialization.registerClass(EuclideanDistance);

/** Row-wise distance of two [n, d] embedding batches, shape [n, 1]. */
export function euclideanDistance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(tf.sub(a, b)), -1, true), EPSILON)));
}

/**
 * |a − b| and a ⊙ b, concatenated: symmetric comparisons handed to the MLP beside the two embeddings, so it
 * need not learn subtraction from scratch (it reaches a given accuracy in a fraction of the steps).
 */
export class PairFeatures extends tf.layers.Layer {
  static readonly className = 'PairFeatures';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const first = (inputShape as tf.Shape[])[0]!;
    return [first[0]!, 2 * first[1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      return tf.concat([tf.abs(tf.sub(a!, b!)), tf.mul(a!, b!)], -1);
    });
  }
}
tf.serialization.registerClass(PairFeatures);

/** The distance head's calibration layer: sigmoid(w·d + b) of the Euclidean distance d. */
export const CALIBRATION_LAYER = 'head_calibration';

/**
 * The Euclidean distance at which a distance head's output equals `score`: the inverse of sigmoid(w·d + b), for
 * turning a threshold on the pair model's output into one on embedding distances (what matching compares).
 */
export function scoreToDistance(score: number, { w, b }: { w: number; b: number }): number {
  if (!(w > 0)) throw new Error(`the distance calibration must increase with distance (w > 0), got w = ${w}`);
  if (!(score > 0 && score < 1))
    throw new Error(`a calibrated score lies strictly between 0 and 1, got ${score}`);
  return (Math.log(score / (1 - score)) - b) / w;
}
