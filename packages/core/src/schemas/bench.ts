import { z } from 'zod';
import { TrainRecipeSchema } from '../train/recipe-schema.ts';
import { parseArtifact, VariantSchema } from './artifacts.ts';

/**
 * The benchmark's record format, shared by the bench (writes and reads it) and the gallery (reads the history):
 *
 *   bench/results/<date>-<commit>.json   BenchResultSchema, one per `pnpm bench` run
 *   bench/baseline.json                  BenchResultSchema, the run `pnpm bench --compare` is checked against
 *   bench/history.jsonl                  BenchHistoryEntrySchema, one line per run (parseBenchHistory)
 *
 * Ratios are always ours / peer (PyTorch) at the thread count our backend uses, so >1 means "twinnet's figure is
 * larger": better for throughput and accuracy, worse for latency, seconds and memory.
 */
export const BENCH_SCHEMA_VERSION = 1;

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const fraction = finite.refine((v) => v >= 0 && v <= 1, { message: 'must be between 0 and 1' });
const count = z.number().int().positive();
const loadTriple = z.tuple([finite, finite, finite]);

/** 'native' is the wasm backend with twinnet's native kernels (@twinnet/native). */
export const BenchBackendNameSchema = z.enum(['tfjs-node', 'native', 'wasm', 'cpu']);
export const BenchSideSchema = z.enum(['twinnet', 'pytorch']);

/** One figure of the PyTorch peer, at one thread count. */
export const PeerFigureSchema = z.object({ threads: count, value: finite });

/**
 * One figure on both sides. `ratio` is ours / peer at the result's `peer.ratioThreads`, null if either is missing;
 * for throughput it is the median over rounds of ours ÷ the peer's round timed right after (same load), so it can
 * differ a little from the quotient of the two best rates shown.
 */
export const ComparedSchema = z.object({
  ours: finite.nullable(),
  peer: z.array(PeerFigureSchema),
  ratio: finite.nullable(),
  /** Throughput: the lowest and highest per-round ratio, how far the peer comparison moved within the run. */
  ratioRange: z.tuple([finite, finite]).optional(),
});
export type Compared = z.infer<typeof ComparedSchema>;

export const BenchThroughputSchema = z.object({
  variant: VariantSchema,
  tower: z.string(),
  head: z.string(),
  batchSize: count,
  /** Training steps (forward, backward, update) × batch size per second: best of the timed rounds. */
  trainPairsPerSecond: ComparedSchema,
  /** The same per second of the process's CPU time (all its threads): other processes hardly move it. */
  trainPairsPerCpuSecond: ComparedSchema,
  /** Images through the tower per second while training: two per pair. */
  trainImagesPerSecond: ComparedSchema,
  /** Inference through the tower at the protocol's batch size (256). */
  embedImagesPerSecond: ComparedSchema,
  embedImagesPerCpuSecond: ComparedSchema,
  /** One pair in, one score out. */
  latencyMedianMs: ComparedSchema,
  latencyP95Ms: ComparedSchema,
  /** Ours ÷ the calibration workload, both per CPU second of one process: the ratios --compare checks. */
  calibrated: z.object({ trainPairs: finite, embedImages: finite }),
});
export type BenchThroughput = z.infer<typeof BenchThroughputSchema>;

/**
 * A tower trained as a classifier rather than on pairs: the vgg tower under the cosine classifier (normalised
 * softmax over a learnt proxy per training class), on P×K batches of images. Its rates are images through the
 * tower; the class proxies belong to the loss, not the tower, and are not in `towerParameters`.
 */
export const BenchClassifierThroughputSchema = z.object({
  tower: z.string(),
  loss: z.string(),
  /** Logits are cosines over this temperature (1/16: a scale of 16). */
  temperature: finite,
  /** The training classes, one proxy each; a batch holds every one of them `perClass` times. */
  classes: z.array(z.number().int().nonnegative()).min(2),
  perClass: count,
  /** Images per training step: classes × perClass. */
  batchSize: count,
  optimizer: z.string(),
  learningRate: finite,
  towerParameters: count,
  /** Training steps (forward, backward, update) × images per step, per second: best of the timed rounds. */
  trainImagesPerSecond: ComparedSchema,
  trainImagesPerCpuSecond: ComparedSchema,
  /** Inference through the tower at the protocol's embedding batch size (256). */
  embedImagesPerSecond: ComparedSchema,
  embedImagesPerCpuSecond: ComparedSchema,
  /** Ours ÷ the calibration workload, both per CPU second of one process. */
  calibrated: z.object({ trainImages: finite, embedImages: finite }),
});
export type BenchClassifierThroughput = z.infer<typeof BenchClassifierThroughputSchema>;

export const BenchOneShotSchema = z.object({
  ways: count,
  shots: count,
  episodes: count,
  accuracy: fraction,
  ci95: finite,
});

/** Twinnet's model quality: the trainer's artifacts when they exist, else the bench's short run. */
export const BenchQualitySchema = z.object({
  variant: VariantSchema,
  source: z.enum(['artifacts', 'short-run']),
  /** Set when read from artifacts/<run>/metrics.json. */
  artifact: z
    .object({
      path: z.string(),
      gitCommit: z.string(),
      createdAt: z.string(),
      ageHours: finite,
      backend: z.string(),
      epochs: z.number().int().nonnegative(),
    })
    .nullable(),
  testPairs: count,
  accuracy: fraction,
  loss: finite,
  auc: fraction,
  /** 10-way 1-shot over all classes. */
  oneShot: BenchOneShotSchema.nullable(),
});
export type BenchQuality = z.infer<typeof BenchQualitySchema>;

/** The same fixed budget of pairs trained on both sides from the same pairs, scored on the same pairs. */
export const BenchShortRunSchema = z.object({
  variant: VariantSchema,
  pairs: count,
  batchSize: count,
  optimizer: z.string(),
  learningRate: finite,
  accuracy: ComparedSchema,
  loss: ComparedSchema,
  auc: ComparedSchema,
  oneShotAccuracy: ComparedSchema,
  trainSeconds: ComparedSchema,
  /** Whether the peer's validation and test pairs had the same digest as ours; null without a peer. */
  pairsIdentical: z.boolean().nullable(),
});
export type BenchShortRun = z.infer<typeof BenchShortRunSchema>;

export const TtaPointSchema = z.object({
  pairs: count,
  /** Training seconds: evaluation (and the peer's pure-Python pair sampling) excluded. */
  seconds: finite,
  accuracy: fraction,
});

export const TtaRecipeSchema = z.object({
  tower: z.string(),
  head: z.string(),
  embeddingDim: count,
  optimizer: z.string(),
  learningRate: finite,
  margin: finite,
  batchSize: count,
  pairsPerEpoch: count,
});

export const TtaRunSchema = z.object({
  side: BenchSideSchema,
  threads: count,
  recipe: TtaRecipeSchema,
  reached: z.boolean(),
  /** Training seconds to the first evaluation at or above the target; null when not reached within the cap. */
  seconds: finite.nullable(),
  pairs: count.nullable(),
  wallSeconds: finite,
  bestAccuracy: fraction.nullable(),
  curve: z.array(TtaPointSchema),
});
export type TtaRun = z.infer<typeof TtaRunSchema>;

export const TimeToAccuracySchema = z.object({
  target: fraction,
  capSeconds: finite,
  validationPairs: count,
  evalEveryPairs: count,
  ours: TtaRunSchema,
  peer: z.array(TtaRunSchema),
  /** Ours / peer seconds: exact when both reached the target, a bound ('at-least'/'at-most') when one did. */
  ratio: finite.nullable(),
  ratioKind: z.enum(['exact', 'at-least', 'at-most']).nullable(),
  /** Seconds to lower accuracies, read off the same curves; null where a side never got there. */
  milestones: z.array(
    z.object({
      accuracy: fraction,
      ours: finite.nullable(),
      peer: finite.nullable(),
      ratio: finite.nullable(),
    }),
  ),
});
export type TimeToAccuracy = z.infer<typeof TimeToAccuracySchema>;

const perVariant = <T extends z.ZodType>(schema: T) => z.object({ contrastive: schema, bce: schema });

/** The recipe fields a time-to-accuracy run may override, with the recipe's own ranges. */
const TtaOverridesSchema = z
  .object({
    batchSize: TrainRecipeSchema.shape.batchSize,
    optimizer: TrainRecipeSchema.shape.optimizer.partial(),
  })
  .partial();

/** { learningRate, … } → { optimizer: { learningRate }, … }: how results from before recipes wrote it. */
function nestFlatRate(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('learningRate' in value)) return value;
  const { learningRate, ...rest } = value as Record<string, unknown>;
  return { ...rest, optimizer: { learningRate } };
}

/** What was measured, with which budgets: results are comparable only under equal protocols. */
export const BenchProtocolSchema = z.object({
  quick: z.boolean(),
  seed: z.number().int(),
  throughput: perVariant(
    z.object({
      warmupSteps: z.number().int().nonnegative(),
      steps: count,
      rounds: count,
      embedBatches: count,
    }),
  ),
  /**
   * Training batch sizes (pairs) whose throughput is measured per variant; each round trains the same number of
   * pairs as `throughput[variant].steps` batches at the trainer's batch size. Results from before this field
   * measured the trainer's batch only, which the default says.
   */
  throughputBatchSizes: perVariant(z.array(count).min(1)).default({ contrastive: [64], bce: [64] }),
  /**
   * The classifier workload (the vgg tower under the cosine classifier): its batch, P classes × K images, and the
   * budget of a round (steps of the whole batch, embedding batches). Results from before it have none.
   */
  classifier: z
    .object({
      tower: z.string(),
      classes: z.array(z.number().int().nonnegative()).min(2),
      perClass: count,
      warmupSteps: z.number().int().nonnegative(),
      steps: count,
      rounds: count,
      embedBatches: count,
    })
    .optional(),
  embedBatchSize: count,
  embedRounds: count,
  latencyWarmup: z.number().int().nonnegative(),
  latencyCalls: count,
  shortRun: z.object({
    pairs: perVariant(count),
    validationImages: count,
    validationPairs: count,
    testImages: count,
    testPairs: count,
    episodes: count,
  }),
  tta: z.object({
    target: fraction,
    capSeconds: finite,
    validationPairs: count,
    evalEveryPairs: count,
    /** The peer's recipe (the Keras example's); ours is the mnist-contrastive preset with `ours` merged in. */
    peerRecipe: TtaRecipeSchema,
    /**
     * Where our time-to-accuracy run departs from the preset, as recipe fields (each side may use its best batch
     * and rate). Results from before this field ran the preset as it is; those from before recipes gave the rate
     * flat ({ learningRate }), read as { optimizer: { learningRate } }.
     */
    ours: z.preprocess(nestFlatRate, TtaOverridesSchema).default({}),
  }),
});
export type BenchProtocol = z.infer<typeof BenchProtocolSchema>;

export const BenchResultSchema = z.object({
  schemaVersion: z.literal(BENCH_SCHEMA_VERSION),
  createdAt: z.string(),
  gitCommit: z.string(),
  /** Uncommitted changes in the working tree when the run started. */
  gitDirty: z.boolean(),
  wallSeconds: finite,
  machine: z.object({
    cpuModel: z.string(),
    logicalCores: count,
    totalMemoryMiB: finite,
    /** 1, 5 and 15-minute load averages: other work on the machine skews every absolute figure. */
    loadAverage: z.object({ start: loadTriple, end: loadTriple }),
  }),
  versions: z.record(z.string(), z.string()),
  backend: z.object({
    name: BenchBackendNameSchema,
    description: z.string(),
    threads: count,
    simd: z.boolean(),
  }),
  calibration: z.object({ workload: z.string(), unitsPerSecond: finite, unitsPerCpuSecond: finite }),
  peer: z.object({
    available: z.boolean(),
    /** Why the peer was not measured (PyTorch missing, --no-peer, failure). */
    reason: z.string().nullable(),
    python: z.string().nullable(),
    torch: z.string().nullable(),
    script: z.string(),
    threads: z.array(count),
    /** The peer thread count ratios use: the one our backend runs with. */
    ratioThreads: count,
  }),
  protocol: BenchProtocolSchema,
  throughput: z.array(BenchThroughputSchema),
  /** Towers trained as classifiers (the vgg tower); empty in results from before them. */
  classifierThroughput: z.array(BenchClassifierThroughputSchema).default([]),
  quality: z.array(BenchQualitySchema),
  shortRun: z.array(BenchShortRunSchema),
  timeToAccuracy: TimeToAccuracySchema,
  memory: z.object({
    /** Peak resident set of the training processes (max over them). */
    peakRssMiB: ComparedSchema,
    processes: z.array(
      z.object({ side: BenchSideSchema, job: z.string(), threads: count, peakRssMiB: finite }),
    ),
  }),
  notes: z.array(z.string()),
});
export type BenchResult = z.infer<typeof BenchResultSchema>;

/** One figure at the ratio thread count, as the history keeps it. */
const HistoryFigureSchema = z.object({
  ours: finite.nullable(),
  peer: finite.nullable(),
  ratio: finite.nullable(),
});

/** One line of bench/history.jsonl: the headline figures of one run, small enough to chart many runs. */
export const BenchHistoryEntrySchema = z.object({
  schemaVersion: z.literal(BENCH_SCHEMA_VERSION),
  createdAt: z.string(),
  gitCommit: z.string(),
  gitDirty: z.boolean(),
  /** The full result, relative to bench/ (results/ is not committed, except as baseline.json). */
  file: z.string(),
  quick: z.boolean(),
  backend: BenchBackendNameSchema,
  peerThreads: count.nullable(),
  loadAverage1m: finite,
  variants: z.array(
    z.object({
      variant: VariantSchema,
      trainPairsPerSecond: HistoryFigureSchema,
      trainPairsPerCpuSecond: HistoryFigureSchema,
      embedImagesPerSecond: HistoryFigureSchema,
      latencyMedianMs: HistoryFigureSchema,
      accuracy: fraction,
      accuracySource: z.enum(['artifacts', 'short-run']),
      shortRunAccuracy: HistoryFigureSchema,
    }),
  ),
  timeToAccuracy: z.object({
    target: fraction,
    capSeconds: finite,
    ours: finite.nullable(),
    peer: finite.nullable(),
  }),
  peakRssMiB: HistoryFigureSchema,
  /** The vgg tower's classifier training and embedding, images/s; absent from lines before it was measured. */
  classifier: z
    .object({
      tower: z.string(),
      batchSize: count,
      trainImagesPerSecond: HistoryFigureSchema,
      trainImagesPerCpuSecond: HistoryFigureSchema,
      embedImagesPerSecond: HistoryFigureSchema,
    })
    .optional(),
});
export type BenchHistoryEntry = z.infer<typeof BenchHistoryEntrySchema>;

/** Parses a bench result file's text; errors name the file and say when it is from another schema version. */
export function parseBenchResult(text: string, file: string): BenchResult {
  let version: unknown;
  try {
    version = (JSON.parse(text) as { schemaVersion?: unknown } | null)?.schemaVersion;
  } catch {
    // parseArtifact reports the JSON error with the file name.
  }
  if (typeof version === 'number' && version !== BENCH_SCHEMA_VERSION) {
    throw new Error(
      `${file}: bench result schema version ${version}, this code reads version ${BENCH_SCHEMA_VERSION}`,
    );
  }
  return parseArtifact(BenchResultSchema, text, file);
}

/** Parses bench/history.jsonl (blank lines allowed); errors name the file and line. */
export function parseBenchHistory(text: string, file: string): BenchHistoryEntry[] {
  const entries: BenchHistoryEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') entries.push(parseArtifact(BenchHistoryEntrySchema, line, `${file}:${i + 1}`));
  });
  return entries;
}
