/** The seed reproductions (the Keras and PyTorch examples): the bench measures these beside the PyTorch peer. */
export const VARIANTS = ['contrastive', 'bce'] as const;
export type Variant = (typeof VARIANTS)[number];

/**
 * Every recipe family `pnpm turbo train` offers (presets.ts defines them): the seed reproductions, and `metric`,
 * embeddings trained to transfer to classes never seen in training.
 */
export const PRESET_VARIANTS = [...VARIANTS, 'metric'] as const;
export type PresetVariant = (typeof PRESET_VARIANTS)[number];
