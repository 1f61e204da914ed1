import type * as tf from '@tensorflow/tfjs';
import { datasetSpec } from '../datasets.ts';
import { embed, embeddingDim } from '../eval/evaluate.ts';
import { cutForSupports, type OpenSetTarget, type ShotsCut } from '../eval/metrics/open-set.ts';
import { predictsSame } from '../eval/metrics/threshold.ts';
import { PIXELS } from '../images.ts';
import { readLayersModel } from '../io/layers-reader.ts';
import { fetchIo, joinLocation, type ResourceIo } from '../io/resource.ts';
import { CALIBRATION_LAYER, scoreToDistance } from '../model/heads/layers.ts';
import { checkNumber } from '../ranges.ts';
import {
  ARTIFACT_FILES,
  type EmbeddingMetric,
  MEASURE_OF_METRIC,
  parseArtifact,
} from '../schemas/artifacts.ts';
import {
  type ExportedMatcher,
  ExportedMatcherSchema,
  isExportedMatcherText,
  metricOf,
  type RunInfo,
  RunInfoSchema,
} from '../schemas/matcher.ts';
import { type MatchImage, toBatch, toDatasetImages } from './input.ts';
import { checkLabel, MATCH_RANGES, UNKNOWN } from './options.ts';
import type { PreprocessStyle } from './preprocess.ts';
import { groupValues } from './prototypes.ts';
import { type Measure, type Polarity, rankLabels, type Scorer, scorerFor } from './scores.ts';
import {
  checkSameModel,
  type ModelIdentity,
  modelIdentity,
  type Supports,
  SupportsSchema,
} from './supports.ts';

export type { DecodedImage, MatchImage } from './input.ts';
export type { Measure } from './scores.ts';
export { UNKNOWN };

/**
 * One label's closeness to a query. Exactly one of distance, similarity and score is set: the matcher's
 * `measure`.
 */
export interface LabelDistance {
  label: string;
  /** Distance-head runs: Euclidean distance from the query's embedding to the mean of this label's supports'. */
  distance?: number;
  /**
   * Cosine-head runs: cosine similarity of the query's embedding with the mean of this label's L2-normalised
   * supports', in [−1, 1]; higher is closer.
   */
  similarity?: number;
  /**
   * MLP-head runs, which measure no distance: the mean over this label's supports of the head's score of
   * (query, support), a logit; closer as the run's polarity says (higher, for 'higher-is-same').
   */
  score?: number;
}

/** The value a result (or a ranked label) carries on its matcher's measure. */
export const measureValue = (r: LabelDistance | MatchResult): number =>
  r.distance ?? r.similarity ?? r.score ?? Number.NaN;

export interface MatchResult {
  /** The closest label, or 'unknown' when even that one is not on the "same" side of the threshold. */
  label: string;
  unknown: boolean;
  /** The closest label's distance (distance-head runs). */
  distance?: number;
  /** The closest label's cosine similarity (cosine-head runs). */
  similarity?: number;
  /** The closest label's score (MLP-head runs). */
  score?: number;
  /** Up to k labels, closest first (filled even when the answer is unknown). */
  ranked: LabelDistance[];
}

export interface MatchOptions {
  /** How many labels to rank: 1 to 1000 (default 5). */
  k?: number;
  /** Overrides the run's calibrated threshold (all its per-count cuts) for this call; range as for LoadOptions.threshold. */
  threshold?: number;
}

export interface LoadOptions {
  /**
   * Replaces the run's threshold: a distance in (0, 1e6] for distance-head runs, a cosine similarity in
   * [−1, 1] for cosine-head runs, a score (logit) in [−1e6, 1e6] for MLP-head runs.
   */
  threshold?: number;
  /** How the run and supports are read and written: fetch by default; nodeIo ('@twinnet/core/node') for paths. */
  io?: ResourceIo;
}

export interface MatcherSource {
  run: string;
  dataset: string;
  /**
   * On the matcher's measure: distances below it (similarities and scores above it, when higher is same)
   * match a label.
   */
  threshold: number;
  /**
   * Cuts per support count on the same measure (metrics.json openSet.cuts): a label with n supports is cut at the
   * cut of the largest count up to n. Without them, `threshold` serves every count.
   */
  cuts?: readonly ShotsCut[];
  /** An MLP head's model (inputs embedding_a, embedding_b) and polarity; omitted for distance heads. */
  head?: { model: tf.LayersModel; polarity: Polarity };
  /** Without a head: how to compare the tower's embeddings (default 'euclidean'; 'cosine' for cosine heads). */
  metric?: Exclude<EmbeddingMetric, 'head'>;
  /** How decoded pictures are framed; default: as the run's dataset frames them. */
  framing?: PreprocessStyle;
}

/**
 * Where the matcher's threshold came from: the run's open-set calibration (metrics.json openSet), the cut
 * chosen on validation pairs (test.threshold), or the caller.
 */
export type ThresholdSource = 'open-set' | 'validation-pairs' | 'given';

/** Where a matcher's default cuts came from, for telling whoever relies on its `unknown`. */
export interface CutOrigin {
  source: ThresholdSource;
  /** 'open-set': the classes the run kept out of training to choose its cuts on (names where the run has them). */
  chosenOn: string[];
  /** 'open-set': what the cuts were chosen for (best F1, or most recall at a precision); null when not recorded. */
  target: OpenSetTarget | null;
}

/**
 * One-shot matching against classes the model never saw: support images are embedded once when added, and a
 * batch of queries costs one batched tower call plus one query × support comparison. A distance-head run
 * compares embeddings by Euclidean distance, a cosine-head run by the cosine similarity of the L2-normalised
 * embeddings; an MLP-head run scores each (query, support) pair with its saved head model. A query's closeness
 * to a label is its closeness to the label's prototype, the mean of its supports (nearest prototype; for cosine
 * the mean of the L2-normalised ones), or for a head the mean score over the supports; on the wrong side of the run's calibrated threshold the
 * answer is 'unknown' rather than the closest label (open set).
 */
export class Matcher {
  private origin: CutOrigin | undefined;
  private readonly rows: string[] = [];
  private embeddings = new Float32Array(0);

  protected constructor(
    private readonly tower: tf.LayersModel,
    private readonly head: tf.LayersModel | undefined,
    private readonly scorer: Scorer,
    /** The run, dataset, weights hash and embedding size; saved with supports. */
    readonly model: ModelIdentity,
    /** The run's calibrated threshold on `measure` (with per-count cuts, the one at the count it was set for). */
    readonly threshold: number,
    /** Where `threshold` came from. */
    readonly thresholdSource: ThresholdSource,
    /** The run's cuts per support count, fewest supports first; empty when `threshold` serves every count. */
    readonly cuts: readonly ShotsCut[],
    /** How decoded pictures are framed (from the run's dataset). */
    readonly style: PreprocessStyle,
    private readonly io: ResourceIo,
    private readonly ownsModels: boolean,
  ) {}

  /**
   * 'distance' (distance-head runs), 'similarity' (cosine-head runs) or 'score' (MLP-head runs): the field
   * results carry.
   */
  get measure(): Measure {
    return this.scorer.measure;
  }

  /** Whether lower or higher values of `measure` mean "same class". */
  get polarity(): Polarity {
    return this.scorer.polarity;
  }

  /**
   * Loads a trainer run directory, or a matcher exported from one (`pnpm match export`, exportMatcher: its
   * metrics.json, tower/ and head/ only), through `options.io`: by default with fetch (a URL, or a path relative
   * to the page in a browser); under Node, Matcher from '@twinnet/core/node' reads local paths. Every run needs
   * tower/; MLP-head runs also head/, and distance-head runs without an open-set calibration pair/ (for the
   * threshold's calibration; an export keeps its two weights in metrics.json instead). A missing piece is
   * refused with its file named. The default cut is metrics.json's open-set calibration when the run has one (a
   * cut per support count, openSet.cuts, in runs that keep them; else openSet.threshold), else the one chosen on
   * validation pairs (test.threshold). options.threshold replaces them all.
   */
  static async load(location: string, options: LoadOptions = {}): Promise<Matcher> {
    const io = options.io ?? fetchIo;
    const info = await readRunInfo(location, io);
    const metric = metricOf(info);
    const measure: Measure = MEASURE_OF_METRIC[metric];
    if (options.threshold !== undefined) checkThreshold('threshold', options.threshold, measure);
    // The head first: a run without one is refused with the reason before the tower is read.
    const head = metric === 'head' ? await loadHead(location, info, io) : undefined;
    let tower: tf.LayersModel | undefined;
    try {
      tower = await readLayersModel(joinLocation(location, modelDir(ARTIFACT_FILES.tower)), io);
      const [threshold, thresholdSource] = await runThreshold(location, info, measure, options.threshold, io);
      checkThreshold(`${location}: the run's threshold`, threshold, measure);
      const source: MatcherSource = { run: info.run, dataset: info.dataset, threshold };
      const cuts = options.threshold === undefined ? info.openSet?.cuts : undefined;
      if (cuts) source.cuts = cuts.map(({ shots, threshold }) => ({ shots, threshold }));
      if (head) source.head = { model: head, polarity: info.polarity };
      else if (metric !== 'head') source.metric = metric;
      if (isExport(info)) source.framing = info.framing;
      const matcher = await Matcher.create(tower, source, io, true, thresholdSource);
      if (isExport(info)) checkExportedTower(location, info, matcher.model);
      matcher.origin = cutOrigin(info, thresholdSource);
      return matcher;
    } catch (error) {
      tower?.dispose();
      head?.dispose();
      throw error;
    }
  }

  /** Wraps models already in memory (the caller keeps ownership: dispose() leaves them alone). */
  static fromModel(
    tower: tf.LayersModel,
    source: MatcherSource,
    options: { io?: ResourceIo } = {},
  ): Promise<Matcher> {
    return Matcher.create(tower, source, options.io ?? fetchIo, false, 'given');
  }

  private static async create(
    tower: tf.LayersModel,
    source: MatcherSource,
    io: ResourceIo,
    owns: boolean,
    thresholdSource: ThresholdSource,
  ): Promise<Matcher> {
    const dim = embeddingDim(tower);
    const scorer = scorerFor(
      source.head ? 'head' : (source.metric ?? 'euclidean'),
      dim,
      `run '${source.run}'`,
      source.head,
    );
    checkThreshold('threshold', source.threshold, scorer.measure);
    const cuts = [...(source.cuts ?? [])].sort((a, b) => a.shots - b.shots);
    for (const cut of cuts) {
      checkThreshold(`the ${cut.shots}-shot cut`, cut.threshold, scorer.measure);
      if (!(Number.isInteger(cut.shots) && cut.shots >= 1))
        throw new Error(`cuts: shots must be a whole number from 1, got ${cut.shots}`);
    }
    const identity = await modelIdentity(tower, source.run, source.dataset, dim);
    // The dataset's framing: digits centred by mass in a 20-pixel box, or items filling the field.
    const style: PreprocessStyle = source.framing ?? datasetSpec(source.dataset).framing;
    return new Matcher(
      tower,
      source.head?.model,
      scorer,
      identity,
      source.threshold,
      thresholdSource,
      cuts,
      style,
      io,
      owns,
    );
  }

  /** Where the default cuts came from: the run's open-set calibration and its classes, validation pairs, or a caller. */
  get cutOrigin(): CutOrigin {
    return this.origin ?? { source: this.thresholdSource, chosenOn: [], target: null };
  }

  /** The cut for a label with `supports` supports: its count's calibrated cut, or `threshold` without cuts. */
  thresholdFor(supports: number): number {
    return this.cuts.length > 0 ? cutForSupports(this.cuts, supports) : this.threshold;
  }

  /** Labels with their number of supports, in the order they were first added. */
  get labels(): { label: string; supports: number }[] {
    const counts = new Map<string, number>();
    for (const label of this.rows) counts.set(label, (counts.get(label) ?? 0) + 1);
    return [...counts].map(([label, supports]) => ({ label, supports }));
  }

  /**
   * One image (or a bare array of several) in the form the tower takes, n × 784 bytes, checked as add() and
   * match() check it: refuses blank pictures, NaN or out-of-range pixels and impossible sizes. Lets a caller
   * convert each file as it reads it and keep 784 bytes instead of the decoded picture.
   */
  prepare(image: MatchImage): Uint8Array {
    return toDatasetImages(image, this.style);
  }

  /** Embeds support images of one label (a new label, or more examples of a known one). */
  add(label: string, images: MatchImage | readonly MatchImage[]): void {
    checkLabel(label);
    let batch: Uint8Array;
    try {
      if (images === null || images === undefined) throw new Error(`no images given (got ${images})`);
      batch = toBatch(images, this.style);
      if (batch.length === 0) throw new Error('no images given');
    } catch (error) {
      throw new Error(`add('${label}'): ${(error as Error).message}`);
    }
    this.append(Array(batch.length / PIXELS).fill(label), embed(this.tower, batch));
  }

  /** Ranks the labels for one query image. */
  match(image: MatchImage, options: MatchOptions = {}): MatchResult {
    this.checkSupports();
    const batch = toDatasetImages(image, this.style);
    if (batch.length !== PIXELS)
      throw new Error(`match() takes one image; use matchAll() for ${batch.length / PIXELS}`);
    return this.matchAll(batch, options)[0]!;
  }

  /** Ranks the labels for many queries: one batched embedding, one query × support comparison. */
  matchAll(images: MatchImage | readonly MatchImage[], options: MatchOptions = {}): MatchResult[] {
    const k = checkNumber('k', options.k ?? 5, MATCH_RANGES.k);
    if (options.threshold !== undefined) checkThreshold('threshold', options.threshold, this.measure);
    this.checkSupports();
    if (images === null || images === undefined) throw new Error(`no images given (got ${images})`);
    const batch = toBatch(images, this.style);
    const n = batch.length / PIXELS;
    if (n === 0) return [];
    const dim = this.model.embeddingDim;
    const groups = this.groups();
    // One value per label: against its prototype (distance, cosine) or its supports' mean (head score).
    const values = groupValues(
      this.scorer,
      embed(this.tower, batch),
      this.embeddings,
      groups.map((g) => g.rows),
      dim,
    );
    const labels = groups.map(({ label }, g) => ({ label, rows: [g] }));
    // Each label's cut, by its count of supports (or the caller's one cut for all).
    const cutOf = new Map(
      groups.map(({ label, rows }) => [label, options.threshold ?? this.thresholdFor(rows.length)]),
    );
    const field = this.measure;
    return Array.from({ length: n }, (_, q) => {
      const row = values.subarray(q * groups.length, (q + 1) * groups.length);
      const ranked = rankLabels(row, labels, this.polarity, k);
      const best = ranked[0]!;
      const unknown = !predictsSame(best.value, cutOf.get(best.label)!, this.polarity);
      return {
        label: unknown ? UNKNOWN : best.label,
        unknown,
        [field]: best.value,
        ranked: ranked.map((r) => ({ label: r.label, [field]: r.value })),
      };
    });
  }

  /** The supports as a JSON-ready object: labels, embeddings and the identity of the model that made them. */
  supports(): Supports {
    const dim = this.model.embeddingDim;
    return {
      format: 'twinnet-supports',
      version: 1,
      model: this.model,
      labels: [...this.rows],
      // 9 significant digits restore every float32 exactly.
      embeddings: this.rows.map((_, i) =>
        Array.from(this.embeddings.subarray(i * dim, (i + 1) * dim), (v) => Number(v.toPrecision(9))),
      ),
    };
  }

  /**
   * Adds saved supports (an object, or a location read through the matcher's io) without embedding anything
   * again. Refuses supports made by another model, reserved labels and embeddings that are not finite float32.
   */
  async loadSupports(source: Supports | string): Promise<void> {
    const name = typeof source === 'string' ? source : 'supports';
    const text = typeof source === 'string' ? await this.io.readText(source) : JSON.stringify(source);
    const supports = parseArtifact(SupportsSchema, text, name);
    checkSameModel(supports.model, this.model, name);
    this.append(supports.labels, Float32Array.from(supports.embeddings.flat()));
  }

  /** Writes supports() as JSON through the matcher's io (under Node, nodeIo; in a browser, store supports()). */
  async saveSupports(location: string): Promise<void> {
    await this.io.writeText(location, `${JSON.stringify(this.supports())}\n`);
  }

  /** Forgets every support (the models stay loaded): for drawing new supports with the same run. */
  clear(): void {
    this.rows.length = 0;
    this.embeddings = new Float32Array(0);
  }

  /** Frees the tower (and head) if this matcher loaded them. */
  dispose(): void {
    if (!this.ownsModels) return;
    this.tower.dispose();
    this.head?.dispose();
  }

  private checkSupports(): void {
    if (this.rows.length === 0) throw new Error('no supports yet: add() some labelled images first');
  }

  private append(labels: readonly string[], embeddings: Float32Array): void {
    const grown = new Float32Array(this.embeddings.length + embeddings.length);
    grown.set(this.embeddings);
    grown.set(embeddings, this.embeddings.length);
    this.embeddings = grown;
    this.rows.push(...labels);
  }

  private groups(): { label: string; rows: number[] }[] {
    const byLabel = new Map<string, number[]>();
    this.rows.forEach((label, i) => {
      const rows = byLabel.get(label);
      if (rows) rows.push(i);
      else byLabel.set(label, [i]);
    });
    return [...byLabel].map(([label, rows]) => ({ label, rows }));
  }
}

/** A threshold in the range of its measure: a positive distance, a cosine similarity, or a bounded score. */
function checkThreshold(name: string, value: number, measure: Measure): void {
  checkNumber(name, value, THRESHOLD_RANGES[measure]);
}

const THRESHOLD_RANGES = {
  distance: MATCH_RANGES.distanceThreshold,
  similarity: MATCH_RANGES.similarityThreshold,
  score: MATCH_RANGES.scoreThreshold,
} as const;

/** 'tower/model.json' → 'tower': the loader takes a model's directory. */
const modelDir = (file: string): string => file.replace(/\/model\.json$/, '');

async function readRunInfo(location: string, io: ResourceIo): Promise<RunInfo | ExportedMatcher> {
  const metricsPath = joinLocation(location, ARTIFACT_FILES.metrics);
  let text: string;
  try {
    text = await io.readText(metricsPath);
  } catch (error) {
    throw new Error(`${location}: not a trained run or an exported matcher (${(error as Error).message})`);
  }
  return parseRunInfo(text, metricsPath);
}

/** The open-set calibration's classes (named) and target; nothing for cuts chosen elsewhere. */
function cutOrigin(info: RunInfo, source: ThresholdSource): CutOrigin {
  if (source !== 'open-set') return { source, chosenOn: [], target: null };
  const name = (c: number) => info.classNames?.[c] ?? String(c);
  const classes = info.openSet?.validation?.classes ?? info.recipe.validationClasses;
  return { source, chosenOn: classes.map(name), target: info.openSet?.target ?? null };
}

/** Whether metrics.json is an exported matcher's rather than a trainer run's. */
const isExport = (info: RunInfo | ExportedMatcher): info is ExportedMatcher => 'format' in info;

/**
 * What the matcher reads of a metrics.json text (a run's, or an exported matcher's, told apart by its `format`),
 * checked for consistency; errors name `metricsPath`.
 */
export function parseRunInfo(text: string, metricsPath: string): RunInfo | ExportedMatcher {
  const info = isExportedMatcherText(text)
    ? parseArtifact(ExportedMatcherSchema, text, metricsPath)
    : parseArtifact(RunInfoSchema, text, metricsPath);
  const kind = info.recipe.head.kind;
  const metric = metricOf(info);
  if ((metric === 'euclidean') !== (info.polarity === 'lower-is-same')) {
    throw new Error(
      `${metricsPath}: a '${kind}' head compared by '${metric}' cannot have polarity '${info.polarity}'`,
    );
  }
  if (info.openSet && info.openSet.measure !== MEASURE_OF_METRIC[metric]) {
    throw new Error(
      `${metricsPath}: openSet.threshold is a ${info.openSet.measure}, but this run is matched by ${MEASURE_OF_METRIC[metric]}`,
    );
  }
  return info;
}

/**
 * The threshold a loaded run matches with, on its measure, and where it came from: the caller's, the open-set
 * cut, or the validation-pairs cut (a distance head's through its calibration, from pair/ or the export).
 */
async function runThreshold(
  location: string,
  info: RunInfo | ExportedMatcher,
  measure: Measure,
  given: number | undefined,
  io: ResourceIo,
): Promise<[number, ThresholdSource]> {
  if (given !== undefined) return [given, 'given'];
  if (info.openSet) return [info.openSet.threshold, 'open-set'];
  if (measure !== 'distance') return [info.test.threshold, 'validation-pairs'];
  const calibration = isExport(info)
    ? (info.distanceCalibration ?? null)
    : await readDistanceCalibration(location, io);
  const score = info.test.threshold;
  return [calibration ? scoreToDistance(score, calibration) : score, 'validation-pairs'];
}

/** Refuses an export whose tower/ is not the one its metrics.json was written for. */
function checkExportedTower(location: string, info: ExportedMatcher, model: ModelIdentity): void {
  if (model.weights === info.weights && model.embeddingDim === info.embeddingDim) return;
  throw new Error(
    `${joinLocation(location, ARTIFACT_FILES.tower)}: not the tower this matcher was exported with ` +
      `(weights ${model.weights.slice(0, 19)}…, ${model.embeddingDim} features; metrics.json records ` +
      `${info.weights.slice(0, 19)}…, ${info.embeddingDim}): export the run again`,
  );
}

/** An MLP head's saved model; runs trained before the trainer saved head/ cannot be matched. */
async function loadHead(
  location: string,
  info: RunInfo | ExportedMatcher,
  io: ResourceIo,
): Promise<tf.LayersModel> {
  try {
    return await readLayersModel(joinLocation(location, modelDir(ARTIFACT_FILES.head)), io);
  } catch (error) {
    const reason = (error as Error).message;
    if (isExport(info)) {
      throw new Error(
        `${location}: the exported matcher of run '${info.run}' has a '${info.recipe.head.kind}' head, whose ` +
          `score only its head model can compute, and head/ cannot be loaded (${reason}); export the run again`,
      );
    }
    throw new Error(
      `${location}: run '${info.run}' is a '${info.recipe.variant}' run with a '${info.recipe.head.kind}' head, whose score only its head ` +
        `model can compute, and head/ cannot be loaded (${reason}). Train the run again ` +
        '(the trainer now saves head/), or use a contrastive run (distance head).',
    );
  }
}

/**
 * A distance head's calibration, sigmoid(w·d + b), from the run's pair/ model: metrics.json keeps the
 * validation threshold on the pair model's output, and these two weights turn it into an embedding distance.
 * Null for an uncalibrated distance head, whose output is the distance.
 */
export async function readDistanceCalibration(
  location: string,
  io: ResourceIo,
): Promise<{ w: number; b: number } | null> {
  const pair = await readLayersModel(joinLocation(location, modelDir(ARTIFACT_FILES.pair)), io);
  const variables = pair.weights.map((w) => w.read());
  try {
    const layer = pair.layers.find((l) => l.name === CALIBRATION_LAYER);
    if (layer === undefined) return null;
    const [kernel, bias] = layer.getWeights();
    return { w: kernel!.dataSync()[0]!, b: bias!.dataSync()[0]! };
  } finally {
    // dispose() leaves the weights of the model nested inside (the tower) alone: free all that was loaded here.
    pair.dispose();
    for (const v of variables) if (!v.isDisposed) v.dispose();
  }
}
