// The open set as the pages report it: a run's cut per support count (or, in runs written before per-count cuts,
// its one cut), the cut curves to chart, which cut a matcher applied to labels of some count (and the demos'
// words for it), and the cross-dataset episodes. Pure data from metrics.json (types only from core); fields that older runs lack come
// out as a reason to show, never as errors.
import type { Metrics, OpenSet, OpenSetCut, Polarity, ShotsCut, ThresholdSource } from '@twinnet/core';
import { thresholdName } from './format.ts';

/** The support counts the run summary and the transfer table report: one example, and the cut runs before kept. */
export const REPORTED_SHOTS = [1, 5] as const;

/** A cut without its curve: what the tables show of it. */
export type CutFigures = Omit<OpenSetCut, 'curve'>;

/** The run's cut at one support count, or why there is none to show. */
export type CutAt =
  | {
      shots: number;
      cut: CutFigures;
      /** False for the one cut of a run written before per-count cuts, which served every count. */
      perCount: boolean;
      why?: undefined;
    }
  | { shots: number; cut?: undefined; why: string };

/** The reason a run has no cut at some count when it kept one cut for every count. */
export const BEFORE_PER_COUNT = 'run written before per-count cuts';

/** The run's cuts, fewest supports first: its per-count cuts, or the one cut runs before them kept. */
export function runCuts(openSet: OpenSet): { cuts: CutFigures[]; perCount: boolean } {
  if (openSet.cuts) {
    const cuts = [...openSet.cuts].sort((a, b) => a.shots - b.shots).map(({ curve: _, ...cut }) => cut);
    return { cuts, perCount: true };
  }
  const { shots, threshold, met, validation, test } = openSet;
  return { cuts: [{ shots, threshold, met, validation, test }], perCount: false };
}

/**
 * The cut at each of `shots` (by default 1 and 5): the run's own for that count, or a reason. A run written
 * before per-count cuts has its one cut at the count it was chosen at (5) and a reason at the others.
 */
export function cutsAt(openSet: OpenSet, shots: readonly number[] = REPORTED_SHOTS): CutAt[] {
  const { cuts, perCount } = runCuts(openSet);
  return shots.map((k): CutAt => {
    const cut = cuts.find((c) => c.shots === k);
    if (cut) return { shots: k, cut, perCount };
    if (!perCount)
      return { shots: k, why: `${BEFORE_PER_COUNT}: its ${cuts[0]!.shots}-shot cut served every count` };
    return { shots: k, why: `no ${k}-shot cut` };
  });
}

/** One count's cut curve for a chart: [cut, rate] points, strictest cut first, and the chosen cut. */
export interface CutCurve {
  shots: number;
  threshold: number;
  met: boolean;
  precision: [number, number][];
  recall: [number, number][];
  /** Precision and recall of "known" at the chosen cut, on the same validation episodes as the curve. */
  at: { precision: number; recall: number };
}

/**
 * The cut curves of a run with per-count cuts, fewest supports first, and one x domain for all of them (every
 * curve's cuts and every chosen cut), so small multiples share their axis. Undefined for runs without them.
 */
export function cutCurves(openSet: OpenSet): { curves: CutCurve[]; xDomain: [number, number] } | undefined {
  if (!openSet.cuts) return undefined;
  const curves = [...openSet.cuts]
    .sort((a, b) => a.shots - b.shots)
    .map(
      (c): CutCurve => ({
        shots: c.shots,
        threshold: c.threshold,
        met: c.met,
        precision: c.curve.map((p) => [p.threshold, p.precision]),
        recall: c.curve.map((p) => [p.threshold, p.recall]),
        at: { precision: c.validation.precision, recall: c.validation.recall },
      }),
    );
  const xs = curves.flatMap((c) => [c.threshold, ...c.precision.map(([x]) => x)]);
  return { curves, xDomain: [Math.min(...xs), Math.max(...xs)] };
}

/** The cut a matcher applies to a label of `supports` supports, as core's cutForSupports chooses it. */
export function cutFor(cuts: readonly ShotsCut[], supports: number): ShotsCut {
  if (cuts.length === 0) throw new Error('open set: no cuts to choose from');
  const ordered = [...cuts].sort((a, b) => a.shots - b.shots);
  let chosen = ordered[0]!;
  for (const cut of ordered) if (cut.shots <= supports) chosen = cut;
  return chosen;
}

/** A cut a matcher applied: to labels of `supports` supports, the `shots`-shot cut (undefined: its one cut). */
export interface AppliedCut {
  supports: number;
  shots?: number;
  threshold: number;
}

/**
 * The cuts a matcher applies to its labels, one per distinct support count, fewest first: the count's own cut
 * when the run has per-count cuts, else its one threshold.
 */
export function appliedCuts(
  matcher: { cuts: readonly ShotsCut[]; threshold: number },
  supportCounts: readonly number[],
): AppliedCut[] {
  return [...new Set(supportCounts)]
    .sort((a, b) => a - b)
    .map((supports) => {
      if (matcher.cuts.length === 0) return { supports, threshold: matcher.threshold };
      const { shots, threshold } = cutFor(matcher.cuts, supports);
      return { supports, shots, threshold };
    });
}

/** N-way 1-shot on other datasets' test images beside raw pixels (never empty), or why the run has none. */
export type CrossDataset =
  | { figures: NonNullable<NonNullable<Metrics['oneShot']>['crossDataset']>; why?: undefined }
  | { figures?: undefined; why: string };

export function crossDataset(m: Metrics): CrossDataset {
  if (!m.oneShot) return { why: 'no one-shot figures' };
  const figures = m.oneShot.crossDataset;
  if (!figures) return { why: 'run written before cross-dataset episodes' };
  if (figures.length === 0) return { why: 'no other dataset' };
  return { figures };
}

/** What a matcher cuts on, as the demos' legends say it. */
export interface MatcherCuts {
  cuts: readonly ShotsCut[];
  threshold: number;
  thresholdSource: ThresholdSource;
  polarity: Polarity;
}

/**
 * The legend's sentence on what counts as a match: which cut applied to the labels' counts of supports (the
 * count's own cut, from the run's per-count cuts), or the one threshold, and where it came from.
 */
export function cutSentence(matcher: MatcherCuts, supportCounts: readonly number[]): string {
  const side = matcher.polarity === 'lower-is-same' ? 'below' : 'above';
  const counts = supportCounts.length > 0 ? supportCounts : [1];
  if (matcher.thresholdSource !== 'open-set' || matcher.cuts.length === 0) {
    const one =
      matcher.thresholdSource === 'open-set'
        ? '; the run was written before per-count cuts, so this one cut serves every count of supports'
        : '';
    return `${side} ${thresholdName(matcher.thresholdSource)}, ${matcher.threshold.toFixed(3)}, counts as a match (✓)${one}.`;
  }
  const applied = appliedCuts(matcher, counts);
  const source =
    'calibrated per count of supports on validation classes, kept out of training while it was chosen';
  if (applied.length === 1) {
    const [a] = applied as [AppliedCut];
    return (
      `${side} the run's ${a.shots}-shot open-set cut, ${a.threshold.toFixed(3)}, counts as a match (✓): ` +
      `the cut for labels of ${supportsLabel(a.supports)}, ${source}.`
    );
  }
  const each = applied.map(
    (a) => `${supportsLabel(a.supports)}: the ${a.shots}-shot cut, ${a.threshold.toFixed(3)}`,
  );
  return `${side} the run's open-set cut for each label's count of supports counts as a match (✓): ${each.join('; ')}; each ${source}.`;
}

const supportsLabel = (n: number): string => (n === 1 ? '1 support' : `${n} supports`);
