import type { BackendName } from '@twinnet/core';
import type { WorkerScript } from '../jobs.ts';
import type { Workload } from '../workloads.ts';
import { analyse } from './figures.ts';
import type { AbPlan } from './protocol.ts';
import { type AbRounds, emptyRounds, takeRounds } from './rounds.ts';
import { type StartedSide, startSide } from './sessions.ts';

export type Sides<T> = { old: T; new: T };

export interface Measured {
  rounds: AbRounds;
  seconds: number;
  /** What the first cycle's workers reported, per side. */
  started: Sides<Omit<StartedSide, 'side' | 'close'>>;
}

export interface CycleOptions {
  scripts: Sides<WorkerScript>;
  plan: AbPlan;
  backend: BackendName;
  threshold: number;
  log: (line: string) => void;
  /** Called once, when the first cycle's workers are up: may throw to stop before any round. */
  check?: (started: Measured['started']) => void;
  /** Starts one side's workers (tests pass fakes). */
  start?: typeof startSide;
}

/** However much time is allowed, no more cycles than this. */
export const MAX_CYCLES = 30;

/**
 * Rounds in cycles of fresh worker processes: each cycle starts both sides' workers (the side that starts first
 * alternates, and cycles come in pairs, so neither side is favoured), takes a warm-up round it discards, then its
 * share of rounds. After the plan's rounds, two more cycles at a time while a figure is inconclusive and they fit
 * in the time allowed at the pace so far.
 */
export async function measureInCycles(options: CycleOptions): Promise<Measured> {
  const { plan, log, start = startSide } = options;
  const rounds = emptyRounds();
  const began = performance.now();
  const seconds = () => (performance.now() - began) / 1000;
  let started: Measured['started'] | undefined;
  // Every workload at first; then only those the side started before knew (a REF may predate one): the first
  // cycle starts REF first, so the working tree's workers never set up a workload REF cannot pair.
  let workloads: Workload[] | undefined;
  let cycle = 0;
  const runCycle = async () => {
    const order = cycle % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
    const live: Partial<Sides<StartedSide>> = {};
    try {
      for (const side of order) {
        const label = side === 'old' ? 'REF' : 'the working tree';
        live[side] = await start(options.scripts[side], plan.protocol, options.backend, label, workloads);
        workloads = live[side]!.workloads;
      }
      const sides = { old: live.old!.side, new: live.new!.side };
      if (!started) {
        started = { old: live.old!, new: live.new! };
        options.check?.(started);
      }
      await takeRounds(sides, 1, 0, emptyRounds(), cycle, workloads!);
      await takeRounds(sides, plan.perCycle, 0, rounds, cycle, workloads!);
    } finally {
      live.old?.close();
      live.new?.close();
    }
    cycle++;
    log(`cycle ${cycle}: ${rounds.old.length} rounds (${seconds().toFixed(0)} s)`);
  };
  log(`${plan.rounds} rounds in cycles of ${plan.perCycle}, REF and the working tree in turn`);
  while (cycle < 2 || rounds.old.length < plan.rounds) {
    await runCycle();
    await runCycle();
  }
  const units = started!.new.units;
  while (cycle + 2 <= MAX_CYCLES && seconds() * (1 + 2 / cycle) <= plan.maxSeconds) {
    const open = analyse(rounds, units, options.threshold).filter((f) => f.verdict === 'inconclusive');
    if (open.length === 0) break;
    log(`inconclusive: ${open.map((f) => f.figure.label).join('; ')}; two more cycles`);
    await runCycle();
    await runCycle();
  }
  return { rounds, seconds: seconds(), started: started! };
}
