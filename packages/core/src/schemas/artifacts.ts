import { z } from 'zod';
import { datasetNames } from '../datasets.ts';
import { OpenSetTargetSchema, TrainRecipeSchema } from '../train/recipe-schema.ts';
import { VARIANTS } from '../train/variants.ts';

/**
 * The artifact contract: what the trainer writes under artifacts/<run>/ and the bench and gallery read.
 * One schema per file; readers validate with these before trusting a number.
 *
 *   tower/model.json + weights   the tower alone (embeds one image)
 *   pair/model.json + weights    the two-input pair model (distance or logit)
 *   head/model.json + weights    the head alone, on two embeddings (what matching needs beside the tower)
 *   history.json                 HistorySchema
 *   metrics.json                 MetricsSchema
 *   predictions.json             PredictionsSchema
 *   embeddings.f32               count × dim float32, little-endian, row-major
 *   embeddings.json              EmbeddingsHeaderSchema
 *   images.u8                    count × 28 × 28 uint8: the embedded test images, for tooltips
 *   umap.json                    UmapSchema
 */
export const ARTIFACT_FILES = {
  tower: 'tower/model.json',
  pair: 'pair/model.json',
  head: 'head/model.json',
  history: 'history.json',
  metrics: 'metrics.json',
  predictions: 'predictions.json',
  embeddings: 'embeddings.f32',
  embeddingsHeader: 'embeddings.json',
  images: 'images.u8',
  umap: 'umap.json',
} as const;

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const fraction = finite.refine((v) => v >= 0 && v <= 1, { message: 'must be between 0 and 1' });

export const DatasetNameSchema = z.enum(datasetNames());
export const VariantSchema = z.enum(VARIANTS);
export const PolaritySchema = z.enum(['lower-is-same', 'higher-is-same']);

export const EpisodeResultSchema = z.object({
  ways: z.number().int(),
  shots: z.number().int(),
  episodes: z.number().int(),
  accuracy: fraction,
  ci95: finite,
});

export const EpochRecordSchema = z.object({
  epoch: z.number().int().positive(),
  trainLoss: finite,
  trainAccuracy: fraction,
  valLoss: finite,
  valAccuracy: fraction,
  /** The validation-chosen threshold after this epoch. */
  valThreshold: finite,
  seconds: finite,
  pairsPerSecond: finite,
  /** Runs with validation classes: N-way 1-shot episodes on those never-trained classes (what to select on). */
  valTransfer: EpisodeResultSchema.optional(),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

export const HistorySchema = z.object({
  run: z.string(),
  epochs: z.array(EpochRecordSchema),
});
export type History = z.infer<typeof HistorySchema>;

export const OneShotSchema = z.object({
  /** Classes the model never saw in training; episodes here use only these. */
  heldOutClasses: z.array(z.number().int()),
  unseen: z.array(EpisodeResultSchema),
  /** The same episodes as `unseen` (same seeds, same images) scored on raw pixels: the no-model baseline. */
  unseenRawPixels: z.array(EpisodeResultSchema),
  /** N-way 1-shot over all N classes, seen and unseen. */
  allClasses: EpisodeResultSchema,
  /**
   * N-way 1-shot over all classes of each other dataset, on its test images (the run trained on none of them),
   * beside raw pixels on the same episodes: how far the embedding carries beyond its own domain. Absent in runs
   * written before it.
   */
  crossDataset: z
    .array(
      z.object({ dataset: DatasetNameSchema, result: EpisodeResultSchema, rawPixels: EpisodeResultSchema }),
    )
    .optional(),
});

/**
 * How a run's embeddings are compared, for any consumer of the tower: 'euclidean' (distance head), 'cosine'
 * (the L2-normalised embeddings' dot product; the tower itself outputs them unnormalised) or 'head' (only the
 * saved head/ model can score a pair).
 */
export const EmbeddingSchema = z.object({
  normalize: z.enum(['none', 'l2']),
  metric: z.enum(['euclidean', 'cosine', 'head']),
  /** Values per embedding, as matching reads them (the tower's readout); absent in runs written before it. */
  dim: z.number().int().positive().optional(),
});
export type Embedding = z.infer<typeof EmbeddingSchema>;
export type EmbeddingMetric = Embedding['metric'];

/** The comparison a head kind implies: what runs written before metrics.json carried `embedding` used. */
export function embeddingFor(headKind: string): Embedding {
  if (headKind === 'distance') return { normalize: 'none', metric: 'euclidean' };
  if (headKind === 'cosine') return { normalize: 'l2', metric: 'cosine' };
  return { normalize: 'none', metric: 'head' };
}

/** What a matcher compares a query with supports by (the field its results carry). */
export const MeasureSchema = z.enum(['distance', 'similarity', 'score']);

/** The measure a matcher compares on, for each metric: what `openSet.threshold` is a cut on. */
export const MEASURE_OF_METRIC = {
  euclidean: 'distance',
  cosine: 'similarity',
  head: 'score',
} as const satisfies Record<EmbeddingMetric, z.infer<typeof MeasureSchema>>;

export { OpenSetTargetSchema };

/** Open-set figures of episodes at one cut: some classes with supports, the others without. */
export const OpenSetRatesSchema = z.object({
  /** Classes the episodes drew from (none of them trained on). */
  classes: z.array(z.number().int()),
  /** Classes given supports in each episode; the rest had none. */
  supportedWays: z.number().int().positive(),
  episodes: z.number().int().positive(),
  /** Queries of supported classes scored closer than queries of classes without supports. */
  auroc: fraction,
  /** Queries of supported classes called unknown. */
  supportedUnknown: fraction,
  /** Queries of classes without supports called unknown. */
  unsupportedUnknown: fraction,
  /** Of the queries given a label, the share whose label is right. */
  precision: fraction,
  /** Of the queries of supported classes, the share given their right label (unknown counts wrong). */
  recall: fraction,
});

/** A point of a cut's sweep: what "known" is at one cut, on validation episodes. */
export const OpenSetCurvePointSchema = z.object({
  threshold: finite,
  precision: fraction,
  recall: fraction,
  supportedUnknown: fraction,
  unsupportedUnknown: fraction,
});

/** The cut for labels with some number of supports: chosen on validation episodes with that many per class. */
export const OpenSetCutSchema = z.object({
  shots: z.number().int().positive(),
  threshold: finite,
  /** Whether a cut reached the target on validation (always, for best F1). */
  met: z.boolean(),
  validation: OpenSetRatesSchema,
  /** This cut on test-image episodes of the held-out classes with as many supports; null without two of them. */
  test: OpenSetRatesSchema.nullable(),
  /** The validation sweep, thinned to a few dozen points, strictest cut first: the cut curve. */
  curve: z.array(OpenSetCurvePointSchema),
});
export type OpenSetCut = z.infer<typeof OpenSetCutSchema>;

/**
 * The open-set cut, calibrated on validation classes (never trained on) and applied unchanged to the held-out
 * test classes. A prototype of more supports sits closer to its class's queries, so runs since per-count cuts
 * keep one per support count (`cuts`): a label with n supports is cut at the cut of the largest count up to n
 * (the smallest count's below it). `threshold`, `shots`, `validation` and `test` are the cut at `shots`, as
 * runs written before kept their one cut; Matcher uses `cuts` when there are some, else `threshold`.
 */
export const OpenSetSchema = z.object({
  target: OpenSetTargetSchema,
  /** Whether a cut reached the target on validation (always, for best F1). */
  met: z.boolean(),
  shots: z.number().int().positive(),
  /** What the threshold is on: the matcher's measure for this run. */
  measure: MeasureSchema,
  threshold: finite,
  validation: OpenSetRatesSchema,
  /** The validation cut on test-image episodes of the held-out classes; null without two of them. */
  test: OpenSetRatesSchema.nullable(),
  cuts: z.array(OpenSetCutSchema).min(1).optional(),
});
export type OpenSet = z.infer<typeof OpenSetSchema>;

export const RocPointSchema = z.object({ fpr: fraction, tpr: fraction, threshold: z.number() });

export const HistogramSchema = z.object({
  /** Bin edges, length bins + 1. */
  edges: z.array(finite),
  same: z.array(z.number().int()),
  different: z.array(z.number().int()),
});

/**
 * Whether the run ended at chance: its test AUC within noise of 0.5 (three standard errors of a model that
 * cannot tell same from different, from the test pair counts), and what to change. Read from the final figures
 * only: it changes none of them.
 */
export const ChanceSchema = z.object({
  atChance: z.boolean(),
  auc: fraction,
  /** |AUC − 0.5| up to this is chance. */
  aucNoise: finite,
  /** Empty unless at chance: the settings to change, most likely first. */
  advice: z.array(z.string()),
});
export type Chance = z.infer<typeof ChanceSchema>;

export const MetricsSchema = z.object({
  run: z.string(),
  dataset: DatasetNameSchema,
  /** Everything that defined the run: the trainer's flags and presets resolve to this. */
  recipe: TrainRecipeSchema,
  polarity: PolaritySchema,
  classNames: z.array(z.string()).min(2),
  test: z.object({
    pairs: z.number().int().positive(),
    accuracy: fraction,
    loss: finite,
    auc: fraction,
    /** Chosen on validation pairs, applied unchanged to test pairs. */
    threshold: finite,
    /** Leave-one-out nearest-neighbour accuracy of the test embeddings. */
    precisionAt1: fraction,
  }),
  validation: z.object({ pairs: z.number().int().positive(), accuracy: fraction, threshold: finite }),
  oneShot: OneShotSchema.nullable(),
  /** How embeddings are compared; runs written before it follow their head kind (embeddingFor). */
  embedding: EmbeddingSchema.optional(),
  /** Runs with validation classes: the calibrated open-set cut; null without them, absent in older runs. */
  openSet: OpenSetSchema.nullable().optional(),
  roc: z.array(RocPointSchema),
  histogram: HistogramSchema,
  /** Runs written since the check existed: whether the run ended at chance; absent in older runs. */
  chance: ChanceSchema.optional(),
  /**
   * Refit runs (recipe.refit): the selection fit that made the choices on validation classes, before the final
   * model (this run's recipe, test figures and files) was trained on all seen classes.
   */
  selection: z
    .object({
      validationClasses: z.array(z.number().int().nonnegative()).min(2),
      trainImages: z.number().int().positive(),
      seconds: finite,
      epochs: z.array(EpochRecordSchema),
    })
    .optional(),
  /** What training did (the recipe says what it was asked to do). */
  training: z.object({
    epochs: z.number().int().nonnegative(),
    trainImages: z.number().int().positive(),
    validationImages: z.number().int().positive(),
    seconds: finite,
  }),
  backend: z.string(),
  versions: z.record(z.string(), z.string()),
  /** The commit the run started from, and whether the work tree had uncommitted changes then. */
  gitCommit: z.string(),
  gitDirty: z.boolean(),
  wallSeconds: finite,
  createdAt: z.string(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const PredictionSchema = z.object({
  /** Indices into the canonical test split. */
  a: z.number().int().nonnegative(),
  b: z.number().int().nonnegative(),
  labelA: z.number().int(),
  labelB: z.number().int(),
  /** 1 = same class. */
  same: z.union([z.literal(0), z.literal(1)]),
  score: finite,
  predictedSame: z.boolean(),
  /** Why this pair is here: a random sample, or one of the worst errors of its kind. */
  kind: z.enum(['sample', 'worst-false-match', 'worst-false-mismatch']),
  /** Base64 of the two 28×28 uint8 images, so the gallery needs no dataset. */
  imageA: z.string(),
  imageB: z.string(),
});
export type Prediction = z.infer<typeof PredictionSchema>;

export const PredictionsSchema = z.object({
  run: z.string(),
  polarity: PolaritySchema,
  threshold: finite,
  pairs: z.array(PredictionSchema),
});
export type Predictions = z.infer<typeof PredictionsSchema>;

export const EmbeddingsHeaderSchema = z
  .object({
    count: z.number().int().positive(),
    dim: z.number().int().positive(),
    dtype: z.literal('float32'),
    labels: z.array(z.number().int()),
    /** Indices into the canonical test split. */
    indices: z.array(z.number().int().nonnegative()),
  })
  .refine((h) => h.labels.length === h.count && h.indices.length === h.count, {
    message: 'labels and indices must each have `count` entries',
  });
export type EmbeddingsHeader = z.infer<typeof EmbeddingsHeaderSchema>;

/**
 * Each point's k nearest other points by the run's own measure, nearest first: what the gallery shows on hover,
 * so it need not fetch every embedding (megabytes) to find them.
 */
export const NeighboursSchema = z.object({
  /** Cosine similarity (cosine-head runs, higher is nearer) or Euclidean distance (lower is nearer). */
  metric: z.enum(['cosine', 'euclidean']),
  k: z.number().int().positive(),
  /** Flat count × k point indices, row i holding point i's neighbours (never i itself). */
  indices: z.array(z.number().int().nonnegative()),
  /** Flat count × k values on the metric, beside `indices`. */
  values: z.array(finite),
});
export type Neighbours = z.infer<typeof NeighboursSchema>;

export const UmapSchema = z
  .object({
    count: z.number().int().positive(),
    /** Flat [x0, y0, x1, y1, …], in the order of embeddings.json. */
    coordinates: z.array(finite),
    labels: z.array(z.number().int()),
    nNeighbors: z.number().int(),
    minDist: finite,
    seed: z.number().int(),
    /** Absent in runs exported before it was added; the gallery then finds neighbours in embeddings.f32. */
    neighbours: NeighboursSchema.optional(),
  })
  .refine((u) => u.coordinates.length === 2 * u.count && u.labels.length === u.count, {
    message: 'coordinates must hold 2 × count numbers and labels count entries',
  })
  .refine(
    ({ neighbours: g, count }) =>
      !g ||
      (g.indices.length === count * g.k &&
        g.values.length === count * g.k &&
        g.indices.every((j, at) => j < count && j !== Math.floor(at / g.k))),
    { message: 'neighbours must hold count × k indices of other points (below count) and as many values' },
  );
export type Umap = z.infer<typeof UmapSchema>;

/** Parses JSON text against a schema, with an error that names the file and the first problems. */
export function parseArtifact<T>(schema: z.ZodType<T>, text: string, file: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`${file}: does not match the expected format: ${problems}`);
  }
  return result.data;
}

/** Checks a binary embeddings file against its header: exact byte length, every value finite. */
export function parseEmbeddings(bytes: Uint8Array, header: EmbeddingsHeader, file: string): Float32Array {
  const expected = header.count * header.dim * 4;
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${file}: expected ${expected} bytes (${header.count} × ${header.dim} float32), got ${bytes.byteLength}`,
    );
  }
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const values = new Float32Array(aligned.buffer, aligned.byteOffset, header.count * header.dim);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${file}: value ${bad} is ${values[bad]}; embeddings must be finite`);
  return values;
}
