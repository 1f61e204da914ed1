import type * as tf from '@tensorflow/tfjs';
import type { SiameseModel } from '../../model/siamese.ts';
import type { Rng } from '../../random.ts';
import type { Augmenter } from '../augment/augmenter.ts';
import type { Objective } from '../losses/index.ts';
import type { ClassIndex } from '../pairs.ts';

/** What one epoch trains with. */
export interface EpochContext {
  model: SiameseModel;
  optimizer: tf.Optimizer;
  objective: Objective;
  images: Uint8Array;
  index: ClassIndex;
  batchSize: number;
  pairsPerEpoch: number;
  /** Weigh same and different pairs to half the loss each (in-batch pairing). */
  balance: boolean;
  /** Fresh pairs or batches are drawn from this generator. */
  rng: Rng;
  /** Threshold on the head's output for the running training accuracy. */
  threshold: number;
  /** In-batch with a batch loss: how many differently augmented views of each drawn image the batch holds (1). */
  views?: number;
  /** Augments every training batch before the step (absent: the recipe has no augmentation, nothing is drawn). */
  augment?: Augmenter;
}

export interface StepOutcome {
  loss: number;
  /** Pairs predicted correctly at the running threshold. */
  correct: number;
  /** Pairs the step trained on (throughput is counted in these). */
  pairs: number;
  /** What the running accuracy was taken over: the pairs, or the images for a batch loss. */
  scored: number;
}

/** One epoch's steps, drawn as they are taken. */
export interface EpochPlan {
  readonly steps: number;
  step(): StepOutcome;
  /**
   * Draws the next step's pairs, and its augmentation, without training on them: a resumed epoch replays the
   * steps it had taken, leaving every stream where step() would have.
   */
  skip(): void;
}

/** How an epoch forms its pairs (a pair miner): explicit balanced pairs, all pairs inside class batches, … */
export interface PairingSpec {
  readonly summary: string;
  /** The one formula for an epoch's length: as many steps as pairsPerEpoch explicit pairs take at batchSize. */
  stepsPerEpoch(pairsPerEpoch: number, batchSize: number): number;
  /** Images through the tower per step, for throughput figures and logs. */
  imagesPerStep(batchSize: number, classes: number, views?: number): number;
  plan(context: EpochContext): EpochPlan;
}
