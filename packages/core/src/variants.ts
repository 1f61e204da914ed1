/** The recipe families `pnpm turbo train` offers (presets.ts defines them); a label in tables and the bench. */
export const VARIANTS = ['contrastive', 'bce'] as const;
export type Variant = (typeof VARIANTS)[number];
