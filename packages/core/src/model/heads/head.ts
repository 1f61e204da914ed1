import type * as tf from '@tensorflow/tfjs';

/** How a head's output relates to "same class": distances are small for a match, logits are large. */
export type Polarity = 'lower-is-same' | 'higher-is-same';

/** The head as a function of two embedding batches; its layers are shared with the saved pair model. */
export type Head = <T extends tf.Tensor | tf.SymbolicTensor>(a: T, b: T) => T;

export interface HeadOptions {
  /** Hidden width, for heads that have one. */
  hidden: number;
  seed: number;
}

/** One kind of head: what compares two embeddings and gives one score per pair. */
export interface HeadSpec {
  readonly summary: string;
  readonly polarity: Polarity;
  /**
   * True when the score is a monotone function of the embeddings' distance alone, so matching and episodes may
   * compare embeddings directly; false when only the head itself can score a pair.
   */
  readonly comparesEmbeddings: boolean;
  build(options: HeadOptions): Head;
}
