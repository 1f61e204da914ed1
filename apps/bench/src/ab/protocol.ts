import { type BenchProtocol, preset, VARIANTS, type Variant } from '@twinnet/core';
import { benchProtocol } from '../protocol.ts';

/**
 * The budgets of `--compare REF`. A round is a quarter of the bench's throughput round (4 training steps of the
 * trainer's 64 pairs for the small tower, 2 for the deep one; 6 and 2 embedding batches of 256) and 40 single-pair
 * calls: each measurement lasts 30–80 ms, so the two sides' measurements of a pair sit close in time and share the
 * machine's load, and many rounds fit in the budget (the interval narrows with their number). The classifier
 * workload's measurements cannot be that short: one step of its 224 images, one embedding batch. Rounds are taken in
 * cycles of fresh worker processes, which side starts first alternating from cycle to cycle: in A/A runs the side
 * whose workers started second was 5–10% faster for the whole life of its processes.
 */
export interface AbPlan {
  protocol: BenchProtocol;
  /** Kept rounds taken before any verdict. */
  rounds: number;
  /** Rounds per cycle of worker processes. */
  perCycle: number;
  /** Seconds of measuring (preparation and short runs not counted) allowed while a figure is inconclusive. */
  maxSeconds: number;
}

export const AB_DEFAULTS = {
  full: { rounds: 40, maxSeconds: 300 },
  quick: { rounds: 4, maxSeconds: 0 },
  perCycle: 10,
};

const ROUND = {
  contrastive: { steps: 4, embedBatches: 6 },
  bce: { steps: 2, embedBatches: 2 },
};

export function abPlan(quick: boolean, rounds: number | null, maxSeconds: number | null): AbPlan {
  const defaults = quick ? AB_DEFAULTS.quick : AB_DEFAULTS.full;
  const wanted = rounds ?? defaults.rounds;
  // At least two cycles, so that each side starts first once.
  const perCycle = Math.min(AB_DEFAULTS.perCycle, Math.ceil(wanted / 2));
  const base = benchProtocol(quick);
  const byVariant = <T>(value: (v: Variant) => T) =>
    Object.fromEntries(VARIANTS.map((v) => [v, value(v)])) as Record<Variant, T>;
  return {
    protocol: {
      ...base,
      // Each worker draws its training pairs at set-up: the cycle's rounds and the warm-up round.
      throughput: byVariant((v) => ({ ...base.throughput[v], ...ROUND[v], rounds: perCycle + 1 })),
      throughputBatchSizes: byVariant((v) => [preset('mnist', v).batchSize]),
      // One step of the whole batch (about 0.6 CPU s on one thread) and one embedding batch: as short as a
      // measurement of this workload gets.
      ...(base.classifier
        ? {
            classifier: {
              ...base.classifier,
              warmupSteps: 1,
              steps: 1,
              rounds: perCycle + 1,
              embedBatches: 1,
            },
          }
        : {}),
      latencyWarmup: 5,
      latencyCalls: 40,
    },
    rounds: wanted,
    perCycle,
    maxSeconds: maxSeconds ?? defaults.maxSeconds,
  };
}
