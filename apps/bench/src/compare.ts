import type { BenchResult } from '@twinnet/core';

/** Accuracy may fall by at most 0.3 percentage points. */
export const MAX_ACCURACY_DROP = 0.003;
/** A throughput ratio that fell by more than this against both references gets a hint to run --compare REF. */
export const MAX_THROUGHPUT_DROP = 0.15;

export interface Check {
  name: string;
  /** 'info': shown, never a failure (throughput against a stored baseline). */
  status: 'pass' | 'fail' | 'skip' | 'info';
  base: number | null;
  current: number | null;
  detail: string;
}

/**
 * Checks a result against a stored baseline. Accuracy is compared directly (seeded runs of one protocol) and can
 * fail. Throughput is shown for information only: a baseline from another day cannot tell a 15% slowdown from the
 * machine's drift (the references themselves moved by that much between runs), so speed is decided by
 * `--compare REF`, which measures both commits in one run. The figures shown are ratios measured within each run
 * (ours ÷ PyTorch, ours ÷ the calibration workload, per CPU second; see throughputCheck).
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
    const name = `${now.variant} trained-model test accuracy (artifacts)`;
    // With no artifacts on either side, quality is the short run, already checked above.
    if (before?.source !== 'artifacts' && now.source !== 'artifacts') continue;
    if (before?.source !== 'artifacts' || now.source !== 'artifacts') {
      checks.push(
        skip(name, `only the ${now.source === 'artifacts' ? 'current run' : 'baseline'} read artifacts`),
      );
      continue;
    }
    checks.push(accuracyCheck(name, before.accuracy, now.accuracy));
  }

  for (const now of current.throughput) {
    const before = base.throughput.find((t) => t.variant === now.variant && t.batchSize === now.batchSize);
    const name = `${now.variant} batch ${now.batchSize}`;
    if (!before) {
      checks.push(skip(`${name} throughput`, 'not in the baseline'));
      continue;
    }
    const samePeer = base.peer.ratioThreads === current.peer.ratioThreads;
    for (const [kind, calibrated, figure] of [
      ['training', 'trainPairs', 'trainPairsPerCpuSecond'],
      ['embedding', 'embedImages', 'embedImagesPerCpuSecond'],
    ] as const) {
      const peerBefore = before[figure].ratio;
      const peerNow = now[figure].ratio;
      checks.push(
        throughputCheck(
          `${name} ${kind} throughput`,
          { before: before.calibrated[calibrated], now: now.calibrated[calibrated] },
          samePeer && peerBefore !== null && peerNow !== null
            ? { before: peerBefore, now: peerNow, threads: current.peer.ratioThreads }
            : null,
        ),
      );
    }
  }
  for (const now of current.classifierThroughput) {
    const before = base.classifierThroughput.find(
      (c) => c.tower === now.tower && c.loss === now.loss && c.batchSize === now.batchSize,
    );
    const name = `${now.tower} tower (cosine classifier) batch ${now.batchSize} images`;
    if (!before) {
      checks.push(skip(`${name} throughput`, 'not in the baseline'));
      continue;
    }
    const samePeer = base.peer.ratioThreads === current.peer.ratioThreads;
    for (const [kind, calibrated, figure] of [
      ['training', 'trainImages', 'trainImagesPerCpuSecond'],
      ['embedding', 'embedImages', 'embedImagesPerCpuSecond'],
    ] as const) {
      const peerBefore = before[figure].ratio;
      const peerNow = now[figure].ratio;
      checks.push(
        throughputCheck(
          `${name} ${kind} throughput`,
          { before: before.calibrated[calibrated], now: now.calibrated[calibrated] },
          samePeer && peerBefore !== null && peerNow !== null
            ? { before: peerBefore, now: peerNow, threads: current.peer.ratioThreads }
            : null,
        ),
      );
    }
  }
  return checks;
}

function skip(name: string, detail: string): Check {
  return { name, status: 'skip', base: null, current: null, detail };
}

export function accuracyCheck(name: string, base: number | null, current: number | null): Check {
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

/**
 * Ours against each reference measured alongside, before and now. A real slowdown of our code moves both ratios
 * while each reference has noise of its own; when both fell by more than 15% the line says to check with
 * --compare REF, which can decide.
 */
function throughputCheck(
  name: string,
  calibration: { before: number; now: number },
  peer: { before: number; now: number; threads: number } | null,
): Check {
  const change = (r: { before: number; now: number }) => r.now / r.before - 1;
  const dropped = (r: { before: number; now: number }) => change(r) < -MAX_THROUGHPUT_DROP;
  const describe = (label: string, r: { before: number; now: number }) =>
    `${label} ${formatRatio(r.now)} vs ${formatRatio(r.before)} (${change(r) >= 0 ? '+' : '−'}${Math.abs(100 * change(r)).toFixed(1)}%)`;
  const parts = [
    ...(peer ? [describe(`÷ PyTorch (${threads(peer.threads)})`, peer)] : []),
    describe('÷ calibration', calibration),
  ];
  const fell = dropped(calibration) && (peer === null || dropped(peer));
  return {
    name: `${name} per CPU second`,
    status: 'info',
    base: peer?.before ?? calibration.before,
    current: peer?.now ?? calibration.now,
    detail: `${parts.join(', ')}${fell ? `; down more than ${100 * MAX_THROUGHPUT_DROP}% against ${peer ? 'both' : 'the calibration'}: check with --compare REF` : ''}`,
  };
}

const threads = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

const formatRatio = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3));

export function comparisonFailed(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
