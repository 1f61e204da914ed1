import {
  type BackendInfo,
  type BackendName,
  type BenchProtocol,
  VARIANTS,
  type Variant,
} from '@twinnet/core';
import { type WorkerScript, WorkerSession } from '../jobs.ts';
import type { Units } from './figures.ts';
import type { AbSide } from './rounds.ts';

/** One side's workers, set up and warm, with what they reported. */
export interface StartedSide {
  side: AbSide;
  units: Units;
  backend: BackendInfo;
  towerParameters: Record<Variant, number>;
  close(): void;
}

/**
 * Starts one worker per variant from `script` (REF's worker in its worktree, or this tree's), each initialised
 * without calibration rounds and set up at the protocol's batch size: set-up builds the model, takes warm-up steps
 * and draws every round's training pairs, so no round pays for it.
 */
export async function startSide(
  script: WorkerScript,
  protocol: BenchProtocol,
  backend: BackendName,
  label: string,
): Promise<StartedSide> {
  const sessions = VARIANTS.map(() => new WorkerSession(script));
  const close = () => {
    for (const s of sessions) s.close();
  };
  try {
    const started = await Promise.all(
      VARIANTS.map(async (variant, i) => {
        const session = sessions[i]!;
        const { backend: info } = await session.request({ op: 'init', backend, protocol, calibrate: false });
        const batchSize = protocol.throughputBatchSizes[variant][0]!;
        const setup = await session.request({ op: 'setup', variant, batchSize });
        return { variant, session, info, setup };
      }),
    );
    const byVariant = <T>(pick: (s: (typeof started)[number]) => T) =>
      Object.fromEntries(started.map((s) => [s.variant, pick(s)])) as Record<Variant, T>;
    return {
      side: { servers: byVariant((s) => s.session) },
      units: byVariant((s) => s.setup.units),
      backend: started[0]!.info,
      towerParameters: byVariant((s) => s.setup.towerParameters),
      close,
    };
  } catch (error) {
    close();
    throw new Error(
      `${label}: the bench worker (${script.path}) failed to start: ${(error as Error).message}`,
    );
  }
}
