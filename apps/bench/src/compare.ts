import type { BenchResult } from '@twinnet/core';

/** Accuracy may fall by at most 0.3 percentage points. */
export const MAX_ACCURACY_DROP = 0.003;
/** A throughput ratio may fall by at most 15%. */
export const MAX_THROUGHPUT_DROP = 0.15;

export interface Check {
  name: string;
  /** info: shown for context, never a failure. */
  status: 'pass' | 'fail' | 'skip' | 'info';
  base: number | null;
  current: number | null;
  detail: string;
}

/**
 * Checks a result against a baseline. Accuracy is compared directly (seeded runs of one protocol). Throughput is
 * compared only as a ratio measured within each run, because absolute rates on a shared machine drift by more
 * than 15%: ours ÷ the calibration workload, both per CPU second of the same process, which repeated within 3%
 * on the busy machine. Ours ÷ PyTorch is shown beside it but does not fail: the peer's rate per CPU second
 * varied by up to 30% from one Python process to the next (most for the deep tower's embedding).
 */
export function compareResults(base: BenchResult, current: BenchResult): Check[] {
  const checks: Check[] = [];
  if (base.protocol.quick !== current.protocol.quick) {
    return [
      {
        name: 'protocol',
        status: 'fail',
        base: null,
        current: null,
        detail: `a ${current.protocol.quick ? 'quick' : 'full'} run cannot be compared with a ${base.protocol.quick ? 'quick' : 'full'} baseline`,
      },
    ];
  }
  if (base.backend.name !== current.backend.name) {
    checks.push({
      name: 'backend',
      status: 'skip',
      base: null,
      current: null,
      detail: `backend changed (${base.backend.name} → ${current.backend.name}): throughput ratios reflect that too`,
    });
  }

  const sameShortRun = JSON.stringify(base.protocol.shortRun) === JSON.stringify(current.protocol.shortRun);
  for (const now of current.shortRun) {
    const before = base.shortRun.find((s) => s.variant === now.variant);
    const name = `${now.variant} short-run test accuracy`;
    if (!before || !sameShortRun) {
      checks.push(
        skip(name, before ? 'the short-run budgets differ from the baseline' : 'not in the baseline'),
      );
      continue;
    }
    checks.push(accuracyCheck(name, before.accuracy.ours, now.accuracy.ours));
  }
  for (const now of current.quality) {
    const before = base.quality.find((q) => q.variant === now.variant);
    // With no artifacts, quality is the short run, already checked above.
    if (before?.source !== 'artifacts' || now.source !== 'artifacts') continue;
    checks.push(
      accuracyCheck(`${now.variant} trained-model test accuracy (artifacts)`, before.accuracy, now.accuracy),
    );
  }

  for (const now of current.throughput) {
    const before = base.throughput.find((t) => t.variant === now.variant);
    if (!before) {
      checks.push(skip(`${now.variant} throughput`, 'not in the baseline'));
      continue;
    }
    for (const [kind, calibrated, figure] of [
      ['training', 'trainPairs', 'trainPairsPerCpuSecond'],
      ['embedding', 'embedImages', 'embedImagesPerCpuSecond'],
    ] as const) {
      checks.push(
        ratioCheck(
          `${now.variant} ${kind} throughput ÷ calibration, per CPU second`,
          before.calibrated[calibrated],
          now.calibrated[calibrated],
          'fail',
        ),
      );
      // Shown, never failing: the peer's own rate moves by up to 30% between processes here.
      const samePeer = base.peer.ratioThreads === current.peer.ratioThreads;
      const peerBefore = before[figure].ratio;
      const peerNow = now[figure].ratio;
      if (samePeer && peerBefore !== null && peerNow !== null) {
        checks.push(
          ratioCheck(
            `${now.variant} ${kind} throughput ÷ PyTorch (${threads(current.peer.ratioThreads)}), per CPU second`,
            peerBefore,
            peerNow,
            'info',
          ),
        );
      }
    }
  }
  return checks;
}

function skip(name: string, detail: string): Check {
  return { name, status: 'skip', base: null, current: null, detail };
}

function accuracyCheck(name: string, base: number | null, current: number | null): Check {
  if (base === null || current === null) return skip(name, 'missing on one side');
  const drop = base - current;
  return {
    name,
    status: drop > MAX_ACCURACY_DROP ? 'fail' : 'pass',
    base,
    current,
    detail: `${(100 * current).toFixed(2)}% vs ${(100 * base).toFixed(2)}% (${drop > 0 ? '−' : '+'}${Math.abs(100 * drop).toFixed(2)} points; limit −${(100 * MAX_ACCURACY_DROP).toFixed(1)})`,
  };
}

function ratioCheck(name: string, before: number, now: number, onDrop: 'fail' | 'info'): Check {
  const change = now / before - 1;
  return {
    name,
    status: onDrop === 'info' ? 'info' : change < -MAX_THROUGHPUT_DROP ? 'fail' : 'pass',
    base: before,
    current: now,
    detail:
      `${formatRatio(now)} vs ${formatRatio(before)} (${change >= 0 ? '+' : '−'}${Math.abs(100 * change).toFixed(1)}%` +
      `${onDrop === 'fail' ? `; limit −${100 * MAX_THROUGHPUT_DROP}%` : ''})`,
  };
}

const threads = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

const formatRatio = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3));

export function comparisonFailed(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
