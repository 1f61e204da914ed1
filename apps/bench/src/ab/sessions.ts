import { type BackendInfo, type BackendName, type BenchProtocol, VARIANTS } from '@twinnet/core';
import { type WorkerScript, WorkerSession } from '../jobs.ts';
import { isVariant, WORKLOADS, type Workload } from '../workloads.ts';
import type { Units } from './figures.ts';
import type { AbSide } from './rounds.ts';

/** One side's workers, set up and warm, with what they reported. */
export interface StartedSide {
  side: AbSide;
  /** The workloads this side measures: those asked for that its worker knows. */
  workloads: Workload[];
  units: Units;
  backend: BackendInfo;
  towerParameters: Partial<Record<Workload, number>>;
  close(): void;
}

/**
 * Starts one worker per workload from `script` (REF's worker in its worktree, or this tree's), each initialised
 * without calibration rounds and set up at the protocol's batch size: set-up builds the model, takes warm-up steps
 * and draws every round's training pairs, so no round pays for it. A worker's init reply lists the workloads it
 * knows; one from before the classifier workload lists none and knows the variants only. A workload the worker
 * does not know is left out (its worker closed before set-up), not an error: REF may predate it.
 */
export async function startSide(
  script: WorkerScript,
  protocol: BenchProtocol,
  backend: BackendName,
  label: string,
  wanted: readonly Workload[] = WORKLOADS.filter((w) => isVariant(w) || protocol.classifier),
): Promise<StartedSide> {
  const sessions = wanted.map(() => new WorkerSession(script));
  const close = () => {
    for (const s of sessions) s.close();
  };
  try {
    const started = await Promise.all(
      wanted.map(async (workload, i) => {
        const session = sessions[i]!;
        const init = await session.request({ op: 'init', backend, protocol, calibrate: false });
        const known: readonly Workload[] = init.workloads ?? VARIANTS;
        if (!known.includes(workload)) {
          session.close();
          return null;
        }
        const batchSize = isVariant(workload) ? protocol.throughputBatchSizes[workload][0]! : 0;
        const setup = await session.request({ op: 'setup', variant: workload, batchSize });
        return { workload, session, info: init.backend, setup };
      }),
    );
    const measured = started.filter((s) => s !== null);
    if (measured.length === 0) throw new Error('its worker knows none of the workloads asked for');
    const byWorkload = <T>(pick: (s: (typeof measured)[number]) => T) =>
      Object.fromEntries(measured.map((s) => [s.workload, pick(s)])) as Partial<Record<Workload, T>>;
    return {
      side: { servers: byWorkload((s) => s.session) },
      workloads: measured.map((s) => s.workload),
      units: byWorkload((s) => s.setup.units),
      backend: measured[0]!.info,
      towerParameters: byWorkload((s) => s.setup.towerParameters),
      close,
    };
  } catch (error) {
    close();
    throw new Error(
      `${label}: the bench worker (${script.path}) failed to start: ${(error as Error).message}`,
    );
  }
}
