import { z } from 'zod';
import type { DatasetSpec } from '../datasets.ts';
import { ModelIdentitySchema } from '../match/supports.ts';
import {
  type EmbeddingMetric,
  embeddingFor,
  MetricsSchema,
  OpenSetCutSchema,
  OpenSetSchema,
} from './artifacts.ts';

/**
 * What Matcher.load reads of a run's metrics.json; the rest of the file is the trainer's business. An exported
 * matcher's metrics.json (ExportedMatcherSchema) holds these fields too, with the same meaning.
 */
export const RunInfoSchema = MetricsSchema.pick({
  run: true,
  dataset: true,
  polarity: true,
  embedding: true,
}).extend({
  recipe: MetricsSchema.shape.recipe.pick({ variant: true, head: true, validationClasses: true }),
  /** Runs written before it lack it; it names the classes the cut was chosen on. */
  classNames: MetricsSchema.shape.classNames.optional(),
  test: MetricsSchema.shape.test.pick({ threshold: true }),
  openSet: OpenSetSchema.pick({ measure: true, threshold: true })
    .extend({
      target: OpenSetSchema.shape.target.optional(),
      /** The classes the cut was chosen on (a refit run's recipe no longer lists them). */
      validation: z.object({ classes: z.array(z.number().int()) }).optional(),
      cuts: z
        .array(OpenSetCutSchema.pick({ shots: true, threshold: true }))
        .min(1)
        .optional(),
    })
    .nullable()
    .optional(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

/** How a run's embeddings are compared: its `embedding`, or for runs written before it, its head kind's. */
export const metricOf = (info: Pick<RunInfo, 'embedding' | 'recipe'>): EmbeddingMetric =>
  (info.embedding ?? embeddingFor(info.recipe.head.kind)).metric;

/** How a dataset's pictures are framed in 28×28 (DatasetSpec.framing): what the matcher preprocesses images to. */
export const FramingSchema = z.enum(['digit', 'fill'] as const satisfies readonly DatasetSpec['framing'][]);

/** The marker in an exported matcher's metrics.json that sets it apart from a trainer run's. */
export const EXPORTED_MATCHER_FORMAT = 'twinnet-matcher';

/**
 * metrics.json of an exported matcher (`pnpm match export`, exportMatcher): the run's RunInfo fields, plus what
 * the files the export leaves out held. Beside it are tower/ and, for MLP-head runs, head/; pair/ is gone, so a
 * distance-head run without an open-set cut keeps pair/'s calibration here instead (null: uncalibrated, the
 * pair model's score is the distance itself). `weights` lets Matcher.load check that tower/ is the run's tower,
 * and is the identity saved supports carry, so supports saved with the run load with its export and back.
 */
export const ExportedMatcherSchema = z
  .object({
    format: z.literal(EXPORTED_MATCHER_FORMAT),
    version: z.literal(1),
    ...RunInfoSchema.shape,
    weights: ModelIdentitySchema.shape.weights,
    embeddingDim: ModelIdentitySchema.shape.embeddingDim,
    framing: FramingSchema,
    /** The commit the run was trained from, and whether its work tree had changes then; null when not known. */
    gitCommit: z.string().nullable(),
    gitDirty: z.boolean().nullable(),
    /** When the run was written (its metrics.json createdAt) and when it was exported. */
    createdAt: z.string().nullable(),
    exportedAt: z.string(),
    distanceCalibration: z
      .object({ w: z.number().refine(Number.isFinite), b: z.number().refine(Number.isFinite) })
      .nullable()
      .optional(),
  })
  .refine((e) => e.openSet || metricOf(e) !== 'euclidean' || e.distanceCalibration !== undefined, {
    message: 'a distance-head export without openSet needs distanceCalibration (null when uncalibrated)',
    path: ['distanceCalibration'],
  });
export type ExportedMatcher = z.infer<typeof ExportedMatcherSchema>;

/** Whether a metrics.json text is an exported matcher's: a JSON object marked with its `format`. */
export function isExportedMatcherText(text: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown } | null)?.format === EXPORTED_MATCHER_FORMAT;
  } catch {
    return false; // not JSON at all: whoever parses it next says so, naming the file
  }
}
