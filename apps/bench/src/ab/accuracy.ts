import { type BackendName, type BenchProtocol, VARIANTS } from '@twinnet/core';
import { accuracyCheck, type Check } from '../compare.ts';
import { runWorker, type WorkerScript } from '../jobs.ts';
import type { ShortRunRaw } from '../ours/short-run.ts';
import type { WorkerJob } from '../worker.ts';

export interface ShortRunComparison {
  checks: Check[];
  notes: string[];
  old: ShortRunRaw[];
  new: ShortRunRaw[];
}

/**
 * The bench's short runs (seeded, the same pairs) on REF and on the working tree, one after the other: accuracy is
 * deterministic on one backend, so no rounds are needed, and each side's test accuracy is checked against REF's
 * with the stored-baseline rule (at most 0.3 points lower).
 */
export async function compareShortRuns(
  scripts: { old: WorkerScript; new: WorkerScript },
  protocol: BenchProtocol,
  backend: BackendName,
  log: (line: string) => void,
): Promise<ShortRunComparison> {
  const job: WorkerJob = { kind: 'short-run', variants: [...VARIANTS], backend, protocol };
  log('short runs on REF');
  const old = (await runWorker(job, scripts.old)).shortRuns;
  log('short runs on the working tree');
  const now = (await runWorker(job, scripts.new)).shortRuns;
  return { ...shortRunChecks(old, now), old, new: now };
}

/** Test accuracy of each variant's short run against REF's; a note when the two did not score the same pairs. */
export function shortRunChecks(
  old: readonly ShortRunRaw[],
  now: readonly ShortRunRaw[],
): { checks: Check[]; notes: string[] } {
  const checks: Check[] = [];
  const notes: string[] = [];
  for (const variant of VARIANTS) {
    const before = old.find((r) => r.variant === variant);
    const after = now.find((r) => r.variant === variant);
    const check = accuracyCheck(
      `${variant} short-run test accuracy`,
      before?.accuracy ?? null,
      after?.accuracy ?? null,
    );
    if (check.status === 'pass' && before?.accuracy === after?.accuracy) {
      check.detail = `${(100 * after!.accuracy).toFixed(2)}% on both sides (identical)`;
    }
    checks.push(check);
    if (
      before &&
      after &&
      (before.testDigest !== after.testDigest || before.validationDigest !== after.validationDigest)
    ) {
      notes.push(
        `${variant} short run: REF and the working tree scored different pairs (the pair sampler changed)`,
      );
    }
  }
  return { checks, notes };
}
