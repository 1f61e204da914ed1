import type * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../images.ts';

export interface TowerOptions {
  /** Width of the embedding the tower outputs. */
  embeddingDim: number;
  /** Seed for the weight initialisers, so two towers built with one seed are identical. */
  seed: number;
  /** Multiplier of the channels of every stage, for towers that are `scalable` (1 elsewhere). */
  width: number;
}

/** One kind of tower: a builder of the shared-weight network that embeds one 28×28×1 image. */
export interface TowerSpec {
  readonly summary: string;
  readonly defaultEmbeddingDim: number;
  /** Training cost per image relative to the small tower, for starting the longest runs first. */
  readonly relativeCost: number;
  /** Whether the tower's channels scale with TowerOptions.width. */
  readonly scalable?: boolean;
  /**
   * The layer (index in the built tower) whose feature map the 'grid' readout flattens; towers without one
   * have only their output to match by.
   */
  readonly gridLayer?: number;
  build(options: TowerOptions): tf.Sequential;
}

export const INPUT_SHAPE = [IMAGE_SIZE, IMAGE_SIZE, 1];
