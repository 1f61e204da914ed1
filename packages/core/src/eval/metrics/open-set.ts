import type { Polarity } from '../../model/heads/head.ts';
import type { Rng } from '../../random.ts';
import { combinations } from './combinations.ts';
import { sample } from './episodes.ts';
import { type LabelGroup, rankLabels } from './rank.ts';
import { rocAuc } from './roc.ts';
import { predictsSame } from './threshold.ts';

// Open-set matching: a query of a class without supports should be called `unknown` rather than given the
// closest label. These functions simulate episodes in which some classes have supports and others none, and
// choose the cut on the matcher's own measure (a distance, a cosine similarity or a head's score) for a stated
// target, as TensorFlow Similarity's `calibrate` does. Pure: the caller supplies the measure's values.

/**
 * Values on the matcher's measure for every query × label, row-major [queries × supports / shots], where each
 * label has `shots` consecutive supports: distances (lower is closer) or similarities and scores (higher is
 * closer), as the polarity says. The matcher's rule decides how a label's supports count (match-scores.ts).
 */
export type MeasureFn = (queries: Int32Array, supports: Int32Array, shots: number) => Float32Array;

export interface OpenSetEpisodeOptions {
  /** Class of every row the measure can look up. */
  labels: ArrayLike<number>;
  /** Classes the episodes draw from: ones the model never trained on. */
  classes: readonly number[];
  /** Classes given supports in each episode (1 to classes.length − 1); the others get none. */
  supportedWays: number;
  shots: number;
  /** Queries per class and episode, drawn apart from the supports (default 5). */
  queriesPerClass?: number;
  episodes: number;
  rng: Rng;
  measure: MeasureFn;
  polarity: Polarity;
}

/** Every query of every episode, scored as the matcher scores it. */
export interface OpenSetQueries {
  /** The best label's mean value over that label's supports. */
  scores: Float64Array;
  /** 1 when the query's class had supports in its episode. */
  supported: Uint8Array;
  /** 1 when the best label is the query's own class (never, for classes without supports). */
  correct: Uint8Array;
}

/** What a cut does to the queries. "Known" = given a label rather than `unknown`. */
export interface OpenSetRates {
  /** Queries of classes with supports called unknown (lower is better). */
  supportedUnknown: number;
  /** Queries of classes without supports called unknown (higher is better). */
  unsupportedUnknown: number;
  /** Of the queries given a label, the share whose label is right (1 when none is given one). */
  precision: number;
  /**
   * Of the queries of classes with supports, the share given their right label: their accuracy with
   * `unknown` counted wrong.
   */
  recall: number;
  f1: number;
}

export interface OpenSetPoint extends OpenSetRates {
  threshold: number;
}

/** What the cut is chosen for: the best F1 of "known", or the most recall at a precision of at least `min`. */
export type OpenSetTarget = { kind: 'best-f1' } | { kind: 'precision'; min: number };

export interface OpenSetCalibration {
  target: OpenSetTarget;
  /** On the measure: known when predictsSame(score, threshold, polarity), as the matcher decides. */
  threshold: number;
  /** Whether some cut reached the target (always, for best F1); if not, the cut of highest precision. */
  met: boolean;
  /** Probability that a query of a supported class scores closer than one of a class without supports. */
  auroc: number;
  /** The rates at the chosen cut. */
  rates: OpenSetRates;
  /** Every cut tried, strictest first: between each two neighbouring distinct scores, and past the last. */
  sweep: OpenSetPoint[];
}

/**
 * Seeded episodes of the open set. Each gives `shots` supports to `supportedWays` of the classes and draws
 * `queriesPerClass` queries of every class, supports and queries from disjoint images; a query's score is
 * its best label's mean value, as Matcher.matchAll ranks. When there are at most 1,000 ways to choose the
 * supported classes, episodes take them in turn (two classes, one supported: each way half the time);
 * otherwise each episode draws them.
 */
export function openSetEpisodes(options: OpenSetEpisodeOptions): OpenSetQueries {
  const { labels, classes, supportedWays, shots, episodes, rng, measure, polarity } = options;
  const perClass = options.queriesPerClass ?? 5;
  if (supportedWays < 1 || supportedWays >= classes.length) {
    throw new Error(
      `open set: supportedWays must be from 1 to ${classes.length - 1} (classes without supports are needed), got ${supportedWays}`,
    );
  }
  if (shots < 1 || perClass < 1 || episodes < 1)
    throw new Error('open set: shots, queries per class and episodes must be at least 1');
  const byClass = new Map<number, number[]>(classes.map((c) => [c, []]));
  for (let i = 0; i < labels.length; i++) byClass.get(labels[i]!)?.push(i);
  for (const [c, rows] of byClass) {
    if (rows.length < shots + perClass)
      throw new Error(`open set: class ${c} has ${rows.length} images; an episode needs ${shots + perClass}`);
  }
  const subsets = combinations(classes.length, supportedWays, 1000);
  const total = episodes * classes.length * perClass;
  const out: OpenSetQueries = {
    scores: new Float64Array(total),
    supported: new Uint8Array(total),
    correct: new Uint8Array(total),
  };
  let at = 0;
  for (let e = 0; e < episodes; e++) {
    const chosen = subsets ? subsets[e % subsets.length]! : sample(classes.length, supportedWays, rng);
    const isSupported = new Set(chosen.map((i) => classes[i]!));
    const supports: number[] = [];
    const groups: LabelGroup[] = [];
    const queries: number[] = [];
    const truth: number[] = [];
    for (const c of classes) {
      const rows = byClass.get(c)!;
      const withSupports = isSupported.has(c);
      const picks = sample(rows.length, (withSupports ? shots : 0) + perClass, rng);
      if (withSupports) {
        groups.push({ label: String(c), rows: [groups.length] });
        for (let s = 0; s < shots; s++) supports.push(rows[picks[s]!]!);
      }
      for (const p of picks.slice(withSupports ? shots : 0)) {
        queries.push(rows[p]!);
        truth.push(c);
      }
    }
    const values = measure(Int32Array.from(queries), Int32Array.from(supports), shots);
    const width = groups.length;
    for (let q = 0; q < queries.length; q++) {
      const best = rankLabels(values.subarray(q * width, (q + 1) * width), groups, polarity, 1)[0]!;
      out.scores[at] = best.value;
      out.supported[at] = isSupported.has(truth[q]!) ? 1 : 0;
      out.correct[at] = best.label === String(truth[q]) ? 1 : 0;
      at++;
    }
  }
  return out;
}

/**
 * Sweeps every cut over the queries' scores and chooses the one for the target: the best F1 of "known"
 * (ties: the strictest), or the most recall among cuts whose precision is at least `min` (ties: the strictest;
 * when no cut reaches it, the cut of highest precision, with met = false).
 */
export function calibrateOpenSet(
  queries: OpenSetQueries,
  polarity: Polarity,
  target: OpenSetTarget = { kind: 'best-f1' },
): OpenSetCalibration {
  if (target.kind === 'precision' && !(target.min >= 0 && target.min <= 1))
    throw new Error(`open set: a precision target must be from 0 to 1, got ${target.min}`);
  const { scores, supported, correct } = queries;
  const { positives, negatives } = counts(queries);
  const n = scores.length;
  // In "similarity" (higher is closer), so one sweep serves both polarities; most similar first.
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => sign * (scores[j]! - scores[i]!));
  const sweep: OpenSetPoint[] = [];
  let supportedKnown = 0;
  let unsupportedKnown = 0;
  let correctKnown = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (supported[i] === 1) supportedKnown++;
    else unsupportedKnown++;
    correctKnown += correct[i] === 1 ? 1 : 0;
    const here = sign * scores[i]!;
    const next = k + 1 < n ? sign * scores[order[k + 1]!]! : undefined;
    if (here === next) continue; // the cut cannot fall between equal scores
    const cut = next === undefined ? here - Math.max(1e-6, Math.abs(here) * 1e-6) : (here + next) / 2;
    sweep.push({
      threshold: sign * cut,
      ...rates(supportedKnown, unsupportedKnown, correctKnown, positives, negatives),
    });
  }
  let best = sweep[0]!;
  let met = true;
  if (target.kind === 'best-f1') {
    for (const point of sweep) if (point.f1 > best.f1) best = point;
  } else {
    const reaching = sweep.filter((p) => p.precision >= target.min);
    met = reaching.length > 0;
    const pool = met ? reaching : sweep;
    best = pool[0]!;
    for (const point of pool) {
      const better = met
        ? point.recall > best.recall
        : point.precision > best.precision ||
          (point.precision === best.precision && point.recall > best.recall);
      if (better) best = point;
    }
  }
  const { threshold, ...at } = best;
  return { target, threshold, met, auroc: openSetAuroc(queries, polarity), rates: at, sweep };
}

/** A cut chosen for labels with `shots` supports. */
export interface ShotsCut {
  shots: number;
  threshold: number;
}

/**
 * The cut for a label with `supports` supports: that of the largest calibrated count up to it, or the smallest
 * count's when it has fewer. A prototype of more supports sits closer to its class's queries, so one cut for
 * every count rejects too many queries at one shot or admits too many at ten.
 */
export function cutForSupports(cuts: readonly ShotsCut[], supports: number): number {
  if (cuts.length === 0) throw new Error('open set: no cuts to choose from');
  const ordered = [...cuts].sort((a, b) => a.shots - b.shots);
  let chosen = ordered[0]!;
  for (const cut of ordered) if (cut.shots <= supports) chosen = cut;
  return chosen.threshold;
}

/** At most `points` of a sweep, evenly spaced from the strictest cut to the loosest (both kept): a cut curve. */
export function thinSweep(sweep: readonly OpenSetPoint[], points = 40): OpenSetPoint[] {
  if (points < 2) throw new Error(`open set: a curve needs at least 2 points, got ${points}`);
  if (sweep.length <= points) return [...sweep];
  return Array.from(
    { length: points },
    (_, i) => sweep[Math.round((i * (sweep.length - 1)) / (points - 1))]!,
  );
}

/** The rates a given cut (a stored calibration, say) gives on other queries. */
export function openSetRates(queries: OpenSetQueries, threshold: number, polarity: Polarity): OpenSetRates {
  const { positives, negatives } = counts(queries);
  let supportedKnown = 0;
  let unsupportedKnown = 0;
  let correctKnown = 0;
  for (let i = 0; i < queries.scores.length; i++) {
    if (!predictsSame(queries.scores[i]!, threshold, polarity)) continue;
    if (queries.supported[i] === 1) supportedKnown++;
    else unsupportedKnown++;
    correctKnown += queries.correct[i] === 1 ? 1 : 0;
  }
  return rates(supportedKnown, unsupportedKnown, correctKnown, positives, negatives);
}

/** Open-set AUROC: how well the best label's score separates queries of supported classes from the rest. */
export function openSetAuroc(queries: OpenSetQueries, polarity: Polarity): number {
  counts(queries);
  return rocAuc(queries.scores, queries.supported, polarity);
}

function rates(
  supportedKnown: number,
  unsupportedKnown: number,
  correctKnown: number,
  positives: number,
  negatives: number,
): OpenSetRates {
  const known = supportedKnown + unsupportedKnown;
  const precision = known === 0 ? 1 : correctKnown / known;
  const recall = correctKnown / positives;
  return {
    supportedUnknown: 1 - supportedKnown / positives,
    unsupportedUnknown: 1 - unsupportedKnown / negatives,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

function counts({ scores, supported, correct }: OpenSetQueries): { positives: number; negatives: number } {
  if (supported.length !== scores.length || correct.length !== scores.length)
    throw new Error('open set: scores, supported and correct differ in length');
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new Error(`open set: score ${i} is ${scores[i]}`);
    positives += supported[i] === 1 ? 1 : 0;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0)
    throw new Error('open set: needs queries of classes with supports and of classes without');
  return { positives, negatives };
}
