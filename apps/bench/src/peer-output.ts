import { VariantSchema } from '@twinnet/core';
import { z } from 'zod';

/** What peers/siamese_torch.py writes: validated before a number of it is used. */

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const rates = z.array(finite).min(1);

export const PeerThroughputSchema = z.object({
  kind: z.literal('throughput'),
  variant: VariantSchema,
  towerParameters: z.number().int().positive(),
  trainPairsPerSecond: rates,
  trainPairsPerCpuSecond: rates,
  embedImagesPerSecond: rates,
  embedImagesPerCpuSecond: rates,
  latencyMs: rates,
});

export const PeerShortRunSchema = z.object({
  kind: z.literal('short-run'),
  variant: VariantSchema,
  trainSeconds: finite,
  validationDigest: z.string(),
  testDigest: z.string(),
  /** File names (in the spec's outDir) of little-endian float32 arrays. */
  validationScores: z.string(),
  validationLoss: finite,
  testScores: z.string(),
  testLoss: finite,
  /** Scores of the bench's one-shot episodes, queries × supports per episode, in order. */
  episodeSimilarities: z.string(),
});
export type PeerShortRun = z.infer<typeof PeerShortRunSchema>;

export const PeerTtaSchema = z.object({
  kind: z.literal('tta'),
  reached: z.boolean(),
  seconds: finite.nullable(),
  pairs: z.number().int().positive().nullable(),
  wallSeconds: finite,
  curve: z.array(z.object({ pairs: z.number().int().positive(), seconds: finite, accuracy: finite })),
  validationDigest: z.string(),
});

export const PeerOutputSchema = z.object({
  threads: z.number().int().positive(),
  torch: z.string(),
  python: z.string(),
  pairsDigest: z.string(),
  peakRssMiB: finite,
  results: z.array(z.discriminatedUnion('kind', [PeerThroughputSchema, PeerShortRunSchema, PeerTtaSchema])),
});
export type PeerOutput = z.infer<typeof PeerOutputSchema>;
