import * as tf from '@tensorflow/tfjs';
import { ARTIFACT_FILES, MetricsSchema, parseArtifact } from './artifacts.ts';
import { embed, embeddingDim, pairwiseDistances } from './evaluate.ts';
import { CALIBRATION_LAYER, scoreToDistance } from './heads.ts';
import { IMAGE_SIZE, PIXELS } from './images.ts';
import { loadLayersModelAt } from './io/layers-model.ts';
import { isLocalFile, joinLocation, readText, writeTextFile } from './io/resource.ts';
import { type PreprocessStyle, preprocessImage } from './preprocess.ts';
import {
  checkSameModel,
  type ModelIdentity,
  modelIdentity,
  type Supports,
  SupportsSchema,
} from './supports.ts';

/** Decoded pixels of any size (a PNG or JPEG, a canvas's ImageData): preprocessed as the dataset was. */
export interface DecodedImage {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  /** Inferred from data.length when omitted (ImageData is RGBA). */
  channels?: 1 | 3 | 4;
}

/**
 * One image: 784 values already in dataset form (28×28, bright on dark; bytes, or floats in [0, 1]), used as
 * they are, or decoded pixels, which are preprocessed first. A bare array of n × 784 values holds n images.
 */
export type MatchImage = Uint8Array | Uint8ClampedArray | Float32Array | DecodedImage;

export interface LabelDistance {
  label: string;
  /** Mean Euclidean distance from the query's embedding to this label's support embeddings. */
  distance: number;
}

export interface MatchResult {
  /** The closest label, or 'unknown' when even that one is at or past the threshold. */
  label: string;
  unknown: boolean;
  /** The closest label's distance. */
  distance: number;
  /** Up to k labels, closest first (filled even when the answer is unknown). */
  ranked: LabelDistance[];
}

export interface MatchOptions {
  /** How many labels to rank (default 5). */
  k?: number;
  /** Overrides the run's calibrated threshold for this call. */
  threshold?: number;
}

export interface MatcherSource {
  run: string;
  dataset: string;
  /** Distances at or past it are 'unknown' (a pair with a smaller distance is "same class"). */
  threshold: number;
}

export const UNKNOWN = 'unknown';

/** What the matcher needs from metrics.json; the rest of the file is the trainer's business. */
const RunInfoSchema = MetricsSchema.pick({
  run: true,
  dataset: true,
  variant: true,
  head: true,
  polarity: true,
}).extend({ test: MetricsSchema.shape.test.pick({ threshold: true }) });

/**
 * One-shot matching against classes the model never saw: support images are embedded once when added, and a
 * batch of queries costs one batched tower call plus one query × support distance matrix. A query's distance
 * to a label is the mean over that label's supports; past the run's validation-chosen pair threshold, the
 * answer is 'unknown' rather than the nearest label (open set).
 */
export class Matcher {
  private readonly rows: string[] = [];
  private embeddings = new Float32Array(0);

  private constructor(
    private readonly tower: tf.LayersModel,
    /** The run, dataset, weights hash and embedding size; saved with supports. */
    readonly model: ModelIdentity,
    /** The calibrated distance threshold of the run. */
    readonly threshold: number,
    /** How decoded pictures are framed (from the run's dataset). */
    readonly style: PreprocessStyle,
    private readonly ownsTower: boolean,
  ) {}

  /**
   * Loads the tower and threshold of a trainer run directory: a local path under Node, a URL (or a path
   * relative to the page) in a browser. Refuses runs whose head is not a distance (bce runs).
   */
  static async load(runDir: string, options: { threshold?: number } = {}): Promise<Matcher> {
    const metricsPath = joinLocation(runDir, ARTIFACT_FILES.metrics);
    let text: string;
    try {
      text = await readText(metricsPath);
    } catch (error) {
      throw new Error(`${runDir}: not a trained run (${(error as Error).message})`);
    }
    const info = parseArtifact(RunInfoSchema, text, metricsPath);
    if (info.head !== 'distance' || info.polarity !== 'lower-is-same') {
      throw new Error(
        `${runDir}: run '${info.run}' is a '${info.variant}' run with an MLP head; its score is a logit, not a ` +
          'distance between embeddings, so it cannot match against stored supports. Use a contrastive run ' +
          '(distance head), e.g. artifacts/mnist-contrastive-holdout.',
      );
    }
    const threshold = options.threshold ?? (await distanceThreshold(runDir, info.test.threshold));
    const tower = await loadLayersModelAt(joinLocation(runDir, 'tower'));
    try {
      return await Matcher.create(tower, { run: info.run, dataset: info.dataset, threshold }, true);
    } catch (error) {
      tower.dispose();
      throw error;
    }
  }

  /** Wraps a tower already in memory (the caller keeps ownership: dispose() leaves it alone). */
  static fromModel(tower: tf.LayersModel, source: MatcherSource): Promise<Matcher> {
    return Matcher.create(tower, source, false);
  }

  private static async create(tower: tf.LayersModel, source: MatcherSource, owns: boolean): Promise<Matcher> {
    if (!Number.isFinite(source.threshold))
      throw new Error(`threshold must be finite, got ${source.threshold}`);
    const identity = await modelIdentity(tower, source.run, source.dataset, embeddingDim(tower));
    const style: PreprocessStyle = source.dataset === 'fashion-mnist' ? 'fashion-mnist' : 'mnist';
    return new Matcher(tower, identity, source.threshold, style, owns);
  }

  /** Labels with their number of supports, in the order they were first added. */
  get labels(): { label: string; supports: number }[] {
    const counts = new Map<string, number>();
    for (const label of this.rows) counts.set(label, (counts.get(label) ?? 0) + 1);
    return [...counts].map(([label, supports]) => ({ label, supports }));
  }

  /** Embeds support images of one label (a new label, or more examples of a known one). */
  add(label: string, images: MatchImage | readonly MatchImage[]): void {
    checkLabel(label);
    const batch = this.toBatch(images);
    if (batch.length === 0) throw new Error(`add('${label}'): no images given`);
    this.append(Array(batch.length / PIXELS).fill(label), embed(this.tower, batch));
  }

  /** Ranks the labels for one query image. */
  match(image: MatchImage, options: MatchOptions = {}): MatchResult {
    const batch = this.toBatch(image);
    if (batch.length !== PIXELS)
      throw new Error(`match() takes one image; use matchAll() for ${batch.length / PIXELS}`);
    return this.matchAll(batch, options)[0]!;
  }

  /** Ranks the labels for many queries: one batched embedding, one distance matrix. */
  matchAll(images: MatchImage | readonly MatchImage[], options: MatchOptions = {}): MatchResult[] {
    if (this.rows.length === 0) throw new Error('no supports yet: add() some labelled images first');
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number >= 1, got ${k}`);
    const threshold = options.threshold ?? this.threshold;
    const batch = this.toBatch(images);
    const n = batch.length / PIXELS;
    if (n === 0) return [];
    const distances = this.distanceMatrix(embed(this.tower, batch));
    const groups = this.groups();
    const results: MatchResult[] = [];
    for (let q = 0; q < n; q++) {
      const row = distances.subarray(q * this.rows.length, (q + 1) * this.rows.length);
      const ranked = groups
        .map(({ label, rows }) => ({ label, distance: rows.reduce((s, r) => s + row[r]!, 0) / rows.length }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, k);
      const best = ranked[0]!;
      const unknown = !(best.distance < threshold);
      results.push({ label: unknown ? UNKNOWN : best.label, unknown, distance: best.distance, ranked });
    }
    return results;
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
   * Adds saved supports (an object, or the path or URL of a JSON file) without embedding anything again.
   * Refuses supports made by another model.
   */
  async loadSupports(source: Supports | string): Promise<void> {
    const name = typeof source === 'string' ? source : 'supports';
    const supports =
      typeof source === 'string'
        ? parseArtifact(SupportsSchema, await readText(source), source)
        : parseArtifact(SupportsSchema, JSON.stringify(source), name);
    checkSameModel(supports.model, this.model, name);
    supports.labels.forEach(checkLabel);
    this.append(supports.labels, Float32Array.from(supports.embeddings.flat()));
  }

  /** Writes supports() to a JSON file (Node only; in a browser, store supports() yourself). */
  async saveSupports(path: string): Promise<void> {
    if (!isLocalFile(path)) throw new Error(`${path}: saveSupports writes local files under Node only`);
    await writeTextFile(path, `${JSON.stringify(this.supports())}\n`);
  }

  /** Frees the tower if this matcher loaded it. */
  dispose(): void {
    if (this.ownsTower) this.tower.dispose();
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

  /** Query × support Euclidean distances, row-major; queries in blocks so memory stays bounded. */
  private distanceMatrix(queries: Float32Array): Float32Array {
    const dim = this.model.embeddingDim;
    const n = queries.length / dim;
    const s = this.rows.length;
    const out = new Float32Array(n * s);
    const block = Math.max(1, Math.floor(4_000_000 / s));
    tf.tidy(() => {
      const supports = tf.tensor2d(this.embeddings, [s, dim]);
      for (let start = 0; start < n; start += block) {
        const end = Math.min(n, start + block);
        const q = tf.tensor2d(queries.subarray(start * dim, end * dim), [end - start, dim]);
        out.set(pairwiseDistances(q, supports).dataSync(), start * s);
      }
    });
    return out;
  }

  /** Every accepted input as n × 784 bytes, dataset-shaped. */
  private toBatch(images: MatchImage | readonly MatchImage[]): Uint8Array {
    if (isSingle(images)) return this.toDatasetImages(images);
    const parts = images.map((image, i) => {
      try {
        return this.toDatasetImages(image);
      } catch (error) {
        throw new Error(`image ${i}: ${(error as Error).message}`);
      }
    });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private toDatasetImages(image: MatchImage): Uint8Array {
    if (!ArrayBuffer.isView(image)) {
      return preprocessImage(image.data, image.width, image.height, {
        ...(image.channels ? { channels: image.channels } : {}),
        style: this.style,
      });
    }
    if (image.length === 0 || image.length % PIXELS !== 0) {
      throw new Error(
        `a bare array must hold ${IMAGE_SIZE}×${IMAGE_SIZE} images (a multiple of ${PIXELS} values), got ` +
          `${image.length}; pass { data, width, height } for pictures of other sizes`,
      );
    }
    if (!(image instanceof Float32Array)) return image instanceof Uint8Array ? image : new Uint8Array(image);
    return Uint8Array.from(image, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  }
}

function isSingle(images: MatchImage | readonly MatchImage[]): images is MatchImage {
  return ArrayBuffer.isView(images) || !Array.isArray(images);
}

function checkLabel(label: string): void {
  if (typeof label !== 'string' || label.trim() === '') throw new Error('a label must be a non-empty string');
  if (label === UNKNOWN) throw new Error(`'${UNKNOWN}' is reserved for queries that match no label`);
}

/**
 * The run's validation threshold as an embedding distance. metrics.json holds it on the pair model's output,
 * which for a calibrated distance head is sigmoid(w·d + b); the calibration's two weights come from pair/.
 */
async function distanceThreshold(runDir: string, score: number): Promise<number> {
  const pair = await loadLayersModelAt(joinLocation(runDir, 'pair'));
  const variables = pair.weights.map((w) => w.read());
  try {
    const layer = pair.layers.find((l) => l.name === CALIBRATION_LAYER);
    if (layer === undefined) return score; // an uncalibrated distance head: the score is the distance
    const [kernel, bias] = layer.getWeights();
    return scoreToDistance(score, { w: kernel!.dataSync()[0]!, b: bias!.dataSync()[0]! });
  } finally {
    // dispose() leaves the weights of the model nested inside (the tower) alone: free all that was loaded here.
    pair.dispose();
    for (const v of variables) if (!v.isDisposed) v.dispose();
  }
}
