import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { labelProblem } from './options.ts';

/**
 * Which model made a set of embeddings. Embeddings of two models live in unrelated spaces, so a saved gallery
 * of supports is only usable by the model whose weights hash it records.
 */
export const ModelIdentitySchema = z.object({
  run: z.string(),
  dataset: z.string(),
  /** 'sha256:' + hex digest of the tower's weights (float32, little-endian, in the model's weight order). */
  weights: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  embeddingDim: z.number().int().positive(),
});
export type ModelIdentity = z.infer<typeof ModelIdentitySchema>;

/** Embeddings are float32: a value past its range (1e308, say) would load as ±∞ and poison every distance. */
const float32 = z
  .number()
  .refine((v) => Number.isFinite(Math.fround(v)), { message: 'must be a finite float32 (|v| < 3.4e38)' });
const label = z.string().superRefine((value, context) => {
  const problem = labelProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** A saved gallery: one label and one embedding per support image. */
export const SupportsSchema = z
  .object({
    format: z.literal('twinnet-supports'),
    version: z.literal(1),
    model: ModelIdentitySchema,
    labels: z.array(label),
    embeddings: z.array(z.array(float32)),
  })
  .refine((s) => s.labels.length === s.embeddings.length, {
    message: 'labels and embeddings must have one entry per support',
  })
  .refine((s) => s.embeddings.every((row) => row.length === s.model.embeddingDim), {
    message: 'every embedding must have model.embeddingDim values',
  });
export type Supports = z.infer<typeof SupportsSchema>;

/** The identity of a tower: its run and a hash of its current weights (works the same in Node and browsers). */
export async function modelIdentity(
  tower: tf.LayersModel,
  run: string,
  dataset: string,
  embeddingDim: number,
): Promise<ModelIdentity> {
  const values = tower.getWeights().map((w) => w.dataSync() as Float32Array);
  const bytes = new Uint8Array(values.reduce((n, v) => n + v.byteLength, 0));
  let offset = 0;
  for (const v of values) {
    bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), offset);
    offset += v.byteLength;
  }
  // Browsers only expose crypto.subtle in secure contexts (https, localhost).
  if (!globalThis.crypto?.subtle) {
    throw new Error(
      'hashing the model needs Web Crypto (crypto.subtle): serve the page over https or localhost',
    );
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { run, dataset, weights: `sha256:${hex}`, embeddingDim };
}

/** Refuses supports embedded by another model, saying which model made them and which one is asking. */
export function checkSameModel(saved: ModelIdentity, current: ModelIdentity, source: string): void {
  if (saved.weights === current.weights && saved.embeddingDim === current.embeddingDim) return;
  const describe = (m: ModelIdentity) => `run '${m.run}' (${m.dataset}, weights ${m.weights.slice(0, 19)}…)`;
  throw new Error(
    `${source}: these supports were embedded by ${describe(saved)}, but this matcher uses ${describe(current)}. ` +
      'Embeddings of different models are not comparable: add the support images again with this model.',
  );
}
