import type { BenchResult, BenchThroughput } from '@twinnet/core';

/** Accuracy may fall by at most 0.3 percentage points. */
export const MAX_ACCURACY_DROP = 0.003;
/** A throughput ratio may fall by at most 15%. */
export const MAX_THROUGHPUT_DROP = 0.15;

export interface Check {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  base: number | null;
  current: number | null;
  detail: string;
}

/**
 * Checks a result against a baseline. Accuracy is compared directly (seeded runs of one protocol); throughput
 * only as ratios measured within each run (ours ÷ PyTorch at the same thread count when both runs have it, else
 * ours ÷ the calibration workload), because absolute rates on a shared machine drift by more than 15%. The
 * ratios are of rates per CPU second, which other processes competing for the cores hardly move.
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
    checks.push(
      throughputCheck(
        `${now.variant} training`,
        base,
        before,
        current,
        now,
        'trainPairsPerCpuSecond',
        'trainPairs',
      ),
    );
    checks.push(
      throughputCheck(
        `${now.variant} embedding`,
        base,
        before,
        current,
        now,
        'embedImagesPerCpuSecond',
        'embedImages',
      ),
    );
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

function throughputCheck(
  name: string,
  baseResult: BenchResult,
  base: BenchThroughput,
  currentResult: BenchResult,
  current: BenchThroughput,
  figure: 'trainPairsPerCpuSecond' | 'embedImagesPerCpuSecond',
  calibrated: 'trainPairs' | 'embedImages',
): Check {
  const peerRatio =
    base[figure].ratio !== null &&
    current[figure].ratio !== null &&
    baseResult.peer.ratioThreads === currentResult.peer.ratioThreads;
  const before = peerRatio ? base[figure].ratio! : base.calibrated[calibrated];
  const now = peerRatio ? current[figure].ratio! : current.calibrated[calibrated];
  const against = peerRatio
    ? `ours/PyTorch at ${currentResult.peer.ratioThreads} thread(s)`
    : 'ours/calibration workload';
  const change = now / before - 1;
  return {
    name: `${name} throughput per CPU second (${against})`,
    status: change < -MAX_THROUGHPUT_DROP ? 'fail' : 'pass',
    base: before,
    current: now,
    detail: `${formatRatio(now)} vs ${formatRatio(before)} (${change >= 0 ? '+' : '−'}${Math.abs(100 * change).toFixed(1)}%; limit −${100 * MAX_THROUGHPUT_DROP}%)`,
  };
}

const formatRatio = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3));

export function comparisonFailed(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
