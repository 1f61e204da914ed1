import { median, percentile, preset, VARIANTS } from '@twinnet/core';
import { benchProtocol } from '../protocol.ts';
import { CLASSIFIER, type Workload } from '../workloads.ts';
import { type Interval, ratioInterval, type Verdict, verdict } from './interval.ts';
import type { AbRounds, WorkloadRound } from './rounds.ts';

/**
 * Pairs (a variant's training) or images (the classifier's training, and every embedding) per round, the same on
 * both sides; a workload neither side measured is absent.
 */
export type Units = Partial<Record<Workload, { train: number; embed: number }>>;

/** One figure --compare REF decides on. */
export interface Figure {
  key: string;
  label: string;
  workload: Workload;
  op: 'train' | 'embed' | 'latency';
  /** Rates: true; latencies: false. */
  higherIsFaster: boolean;
  unit: string;
}

/**
 * Training and embedding rates per CPU second of the measuring process: on a shared machine the CPU time of a
 * round moves less when other processes take turns on the cores than its wall time does (in A/A runs at load 9
 * on 2 cores, paired rounds differed by 12–17% in CPU time, 25–40% in wall time). Latency is wall time, as a caller
 * waits for it: the 10th percentile of a round's calls, as preempted calls make the median swing (A/A rounds
 * differed by 10% at the 10th percentile, 11–21% at the median). The classifier workload (the vgg tower trained by
 * the cosine classifier, 7 classes × 32 images a step) has training and embedding, no latency.
 */
const classifier = benchProtocol(false).classifier!;

export const FIGURES: Figure[] = [
  ...VARIANTS.flatMap((variant) => {
    const recipe = preset('mnist', variant);
    const tower = `${recipe.tower.kind} tower`;
    return [
      {
        key: `${variant}-train`,
        label: `${tower} training, batch ${recipe.batchSize} pairs`,
        workload: variant,
        op: 'train' as const,
        higherIsFaster: true,
        unit: 'pairs per CPU s',
      },
      {
        key: `${variant}-embed`,
        label: `${tower} embedding`,
        workload: variant,
        op: 'embed' as const,
        higherIsFaster: true,
        unit: 'images per CPU s',
      },
      {
        key: `${variant}-latency`,
        label: `${tower} single-pair latency`,
        workload: variant,
        op: 'latency' as const,
        higherIsFaster: false,
        unit: 'ms, fastest tenth',
      },
    ];
  }),
  {
    key: `${CLASSIFIER}-train`,
    label: `${classifier.tower} tower training, cosine classifier, batch ${classifier.classes.length * classifier.perClass} images`,
    workload: CLASSIFIER,
    op: 'train',
    higherIsFaster: true,
    unit: 'images per CPU s',
  },
  {
    key: `${CLASSIFIER}-embed`,
    label: `${classifier.tower} tower embedding`,
    workload: CLASSIFIER,
    op: 'embed',
    higherIsFaster: true,
    unit: 'images per CPU s',
  },
];

const LATENCY_PERCENTILE = 10;

export function figureValue(figure: Figure, round: WorkloadRound, units: Units): number {
  if (figure.op === 'latency') {
    if (!round.latencyMs) throw new Error(`${figure.workload}: no latency in this round`);
    return percentile(round.latencyMs, LATENCY_PERCENTILE);
  }
  const perRound = units[figure.workload];
  if (!perRound) throw new Error(`${figure.workload}: no units`);
  return perRound[figure.op] / round[figure.op].cpu;
}

export type FigureOutcome =
  | {
      figure: Figure;
      /** Medians over the rounds, for the table. */
      old: number;
      new: number;
      interval: Interval;
      verdict: Verdict;
    }
  | {
      figure: Figure;
      old: null;
      new: null;
      interval: null;
      /** Not measured on both sides: REF's bench predates the figure. Never a regression. */
      verdict: 'skipped';
      reason: string;
    };

/**
 * Each figure's interval and verdict; the bootstrap's seed is fixed per figure, so a report repeats exactly. A
 * figure whose workload is missing from the rounds (REF's worker did not know it) is skipped.
 */
export function analyse(rounds: AbRounds, units: Units, threshold: number): FigureOutcome[] {
  return FIGURES.map((figure, index) => {
    const sideRounds = (side: 'old' | 'new') => rounds[side].map((r) => r[figure.workload]);
    const [oldRounds, newRounds] = [sideRounds('old'), sideRounds('new')];
    const measured = (list: (WorkloadRound | undefined)[]): list is WorkloadRound[] =>
      list.length > 0 && list.every((r) => r !== undefined);
    if (!measured(oldRounds) || !measured(newRounds) || !units[figure.workload]) {
      return {
        figure,
        old: null,
        new: null,
        interval: null,
        verdict: 'skipped' as const,
        reason: `not measured on both sides (REF's bench worker does not know ${figure.workload})`,
      };
    }
    const old = oldRounds.map((r) => figureValue(figure, r, units));
    const now = newRounds.map((r) => figureValue(figure, r, units));
    const interval = ratioInterval(old, now, { seed: 1000 + index });
    return {
      figure,
      old: median(old),
      new: median(now),
      interval,
      verdict: verdict(interval, figure.higherIsFaster, threshold),
    };
  });
}
