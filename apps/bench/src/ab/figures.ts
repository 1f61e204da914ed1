import { median, percentile, preset, VARIANTS, type Variant } from '@twinnet/core';
import { type Interval, ratioInterval, type Verdict, verdict } from './interval.ts';
import type { AbRounds, VariantRound } from './rounds.ts';

/** Pairs per training round and images per embedding round, the same on both sides. */
export type Units = Record<Variant, { train: number; embed: number }>;

/** One figure --compare REF decides on. */
export interface Figure {
  key: string;
  label: string;
  variant: Variant;
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
 * differed by 10% at the 10th percentile, 11–21% at the median).
 */
export const FIGURES: Figure[] = VARIANTS.flatMap((variant) => {
  const recipe = preset('mnist', variant);
  const tower = `${recipe.tower.kind} tower`;
  return [
    {
      key: `${variant}-train`,
      label: `${tower} training, batch ${recipe.batchSize} pairs`,
      variant,
      op: 'train' as const,
      higherIsFaster: true,
      unit: 'pairs per CPU s',
    },
    {
      key: `${variant}-embed`,
      label: `${tower} embedding`,
      variant,
      op: 'embed' as const,
      higherIsFaster: true,
      unit: 'images per CPU s',
    },
    {
      key: `${variant}-latency`,
      label: `${tower} single-pair latency`,
      variant,
      op: 'latency' as const,
      higherIsFaster: false,
      unit: 'ms, fastest tenth',
    },
  ];
});

const LATENCY_PERCENTILE = 10;

export function figureValue(figure: Figure, round: VariantRound, units: Units): number {
  if (figure.op === 'latency') return percentile(round.latencyMs, LATENCY_PERCENTILE);
  return units[figure.variant][figure.op] / round[figure.op].cpu;
}

export interface FigureOutcome {
  figure: Figure;
  /** Medians over the rounds, for the table. */
  old: number;
  new: number;
  interval: Interval;
  verdict: Verdict;
}

/** Each figure's interval and verdict; the bootstrap's seed is fixed per figure, so a report repeats exactly. */
export function analyse(rounds: AbRounds, units: Units, threshold: number): FigureOutcome[] {
  return FIGURES.map((figure, index) => {
    const values = (side: 'old' | 'new') =>
      rounds[side].map((r) => figureValue(figure, r[figure.variant], units));
    const old = values('old');
    const now = values('new');
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
