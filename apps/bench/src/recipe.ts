import { preset, type TrainConfig, type Variant } from 'trainer/presets';

export const VARIANTS = ['contrastive', 'bce'] as const satisfies readonly Variant[];

/** What both sides build and train for one variant: read from the trainer's MNIST preset, so they stay in step. */
export type Recipe = Pick<
  TrainConfig,
  'tower' | 'head' | 'embeddingDim' | 'optimizer' | 'learningRate' | 'margin' | 'batchSize'
>;

export function recipeOf(variant: Variant): Recipe {
  const { tower, head, embeddingDim, optimizer, learningRate, margin, batchSize } = preset('mnist', variant);
  return { tower, head, embeddingDim, optimizer, learningRate, margin, batchSize };
}
