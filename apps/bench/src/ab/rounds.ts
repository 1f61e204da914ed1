import type { WorkerSession } from '../jobs.ts';
import type { Seconds } from '../timing.ts';
import { isVariant, type Workload } from '../workloads.ts';

/** The part of a worker session the rounds use (tests pass fakes). */
export type RoundServer = Pick<WorkerSession, 'request'>;

/** One side of the comparison: a worker per workload, each set up once (a worker holds one model). */
export interface AbSide {
  servers: Partial<Record<Workload, RoundServer>>;
}

/** What one side measured of one workload in one round; the classifier workload has no latency. */
export interface WorkloadRound {
  train: Seconds;
  embed: Seconds;
  latencyMs?: number[];
}

/** A round of one side: the workloads both sides measure (one a REF predates is left out). */
export type SideRound = Partial<Record<Workload, WorkloadRound>>;

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
 * Takes `count` rounds of `workloads`. In every round each measurement (a workload's training round, embedding
 * round, and a variant's latency calls) runs on one side and then at once on the other, so the pair sees the same
 * load; which side goes first alternates from round to round (A B, B A, …), so neither always gets the warmer
 * cache or the quieter moment. Round `index` sets the order: even, old first.
 */
export async function takeRounds(
  sides: { old: AbSide; new: AbSide },
  count: number,
  index: number,
  into: AbRounds,
  cycle: number,
  workloads: readonly Workload[],
): Promise<void> {
  const server = (side: 'old' | 'new', workload: Workload) => {
    const found = sides[side].servers[workload];
    if (!found) throw new Error(`the ${side} side has no worker for ${workload}`);
    return found;
  };
  for (let r = 0; r < count; r++) {
    const first = (index + r) % 2 === 0 ? 'old' : 'new';
    const order = first === 'old' ? (['old', 'new'] as const) : (['new', 'old'] as const);
    const round = { old: {} as SideRound, new: {} as SideRound };
    for (const workload of workloads) {
      const got = { old: {} as Partial<WorkloadRound>, new: {} as Partial<WorkloadRound> };
      for (const op of ['train', 'embed'] as const) {
        for (const side of order) {
          got[side][op] = (await server(side, workload).request({ op, variant: workload })).seconds;
        }
      }
      if (isVariant(workload)) {
        for (const side of order) {
          got[side].latencyMs = (
            await server(side, workload).request({ op: 'latency', variant: workload })
          ).latencyMs;
        }
      }
      round.old[workload] = got.old as WorkloadRound;
      round.new[workload] = got.new as WorkloadRound;
    }
    into.old.push(round.old);
    into.new.push(round.new);
    into.first.push(first);
    into.cycle.push(cycle);
  }
}
