import { VariantSchema } from '@twinnet/core';
import { z } from 'zod';

/** What peers/siamese_torch.py writes: validated before a number of it is used. */

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const rates = z.array(finite).min(1);

/** Replies of the throughput server (siamese_torch.py --serve), one per request. */
export const PeerSetupReplySchema = z.object({ towerParameters: z.number().int().positive() });
export const PeerRoundReplySchema = z.object({ wall: finite, cpu: finite });
export const PeerLatencyReplySchema = z.object({ latencyMs: rates });

/** What the peer says about itself when it finishes (both modes). */
export const PeerFinishSchema = z.object({
  threads: z.number().int().positive(),
  torch: z.string(),
  python: z.string(),
  pairsDigest: z.string(),
  peakRssMiB: finite,
});
export type PeerFinish = z.infer<typeof PeerFinishSchema>;

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

export const PeerOutputSchema = PeerFinishSchema.extend({
  results: z.array(z.discriminatedUnion('kind', [PeerShortRunSchema, PeerTtaSchema])),
});
export type PeerOutput = z.infer<typeof PeerOutputSchema>;
