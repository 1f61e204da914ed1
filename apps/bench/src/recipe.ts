import type { HeadKind, OptimizerName, TowerKind } from '@twinnet/core';
import { preset, type Variant } from 'trainer/presets';

export const VARIANTS = ['contrastive', 'bce'] as const satisfies readonly Variant[];

/** What both sides build and train for one variant: read from the trainer's MNIST preset, so they stay in step. */
export interface Recipe {
  tower: TowerKind;
  head: HeadKind;
  embeddingDim: number;
  optimizer: OptimizerName;
  learningRate: number;
  margin: number;
  batchSize: number;
}

export function recipeOf(variant: Variant): Recipe {
  const { tower, head, embeddingDim, optimizer, learningRate, margin, batchSize } = preset('mnist', variant);
  return { tower, head, embeddingDim, optimizer, learningRate, margin, batchSize };
}
