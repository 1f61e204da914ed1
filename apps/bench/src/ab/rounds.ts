import { VARIANTS, type Variant } from '@twinnet/core';
import type { WorkerSession } from '../jobs.ts';
import type { Seconds } from '../timing.ts';

/** The part of a worker session the rounds use (tests pass fakes). */
export type RoundServer = Pick<WorkerSession, 'request'>;

/** One side of the comparison: a worker per variant, each set up once (a worker holds one variant's model). */
export interface AbSide {
  servers: Record<Variant, RoundServer>;
}

/** What one side measured of one variant in one round. */
export interface VariantRound {
  train: Seconds;
  embed: Seconds;
  latencyMs: number[];
}

export type SideRound = Record<Variant, VariantRound>;

/** Every kept round, both sides in step: old[i] and new[i] were measured next to each other. */
export interface AbRounds {
  old: SideRound[];
  new: SideRound[];
  /** Which side went first in each round. */
  first: ('old' | 'new')[];
  /** The cycle of worker processes each round was measured in. */
  cycle: number[];
}

export const emptyRounds = (): AbRounds => ({ old: [], new: [], first: [], cycle: [] });

/**
 * Takes `count` rounds. In every round each measurement (a variant's training round, embedding round, latency
 * calls) runs on one side and then at once on the other, so the pair sees the same load; which side goes first
 * alternates from round to round (A B, B A, …), so neither always gets the warmer cache or the quieter moment.
 * Round `index` sets the order: even, old first.
 */
export async function takeRounds(
  sides: { old: AbSide; new: AbSide },
  count: number,
  index: number,
  into: AbRounds,
  cycle = 0,
): Promise<void> {
  for (let r = 0; r < count; r++) {
    const first = (index + r) % 2 === 0 ? 'old' : 'new';
    const order = first === 'old' ? (['old', 'new'] as const) : (['new', 'old'] as const);
    const round = { old: {} as SideRound, new: {} as SideRound };
    for (const variant of VARIANTS) {
      const got = { old: {} as Partial<VariantRound>, new: {} as Partial<VariantRound> };
      for (const op of ['train', 'embed'] as const) {
        for (const side of order) {
          got[side][op] = (await sides[side].servers[variant].request({ op, variant })).seconds;
        }
      }
      for (const side of order) {
        got[side].latencyMs = (
          await sides[side].servers[variant].request({ op: 'latency', variant })
        ).latencyMs;
      }
      round.old[variant] = got.old as VariantRound;
      round.new[variant] = got.new as VariantRound;
    }
    into.old.push(round.old);
    into.new.push(round.new);
    into.first.push(first);
    into.cycle.push(cycle);
  }
}
