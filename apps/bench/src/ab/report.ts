import type { FigureOutcome } from './figures.ts';
import type { AbResult } from './run.ts';

/** Exit codes of `--compare REF`: 0 no regression, 1 a regression, 3 no regression but a figure undecided. */
export const EXIT = { pass: 0, regression: 1, inconclusive: 3 } as const;

export function abExitCode(result: Pick<AbResult, 'figures' | 'accuracy'>): number {
  if (
    result.figures.some((f) => f.verdict === 'regression') ||
    result.accuracy.some((c) => c.status === 'fail')
  ) {
    return EXIT.regression;
  }
  return result.figures.some((f) => f.verdict === 'inconclusive') ? EXIT.inconclusive : EXIT.pass;
}

const value = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const times = (v: number) => `${v.toFixed(3)}×`;
const VERDICT = { ok: 'ok', regression: 'SLOWER', inconclusive: 'inconclusive' } as const;

function figureCells(f: FigureOutcome): string[] {
  if (f.verdict === 'skipped') return [f.figure.label, f.figure.unit, '—', '—', '—', 'skipped (not at REF)'];
  const { ratio, low, high } = f.interval;
  return [
    f.figure.label,
    f.figure.unit,
    value(f.old),
    value(f.new),
    `${times(ratio)} [${times(low)}, ${times(high)}]`,
    VERDICT[f.verdict],
  ];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i < 2 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function summary(result: AbResult): string {
  const slower = result.figures.filter((f) => f.verdict === 'regression').map((f) => f.figure.label);
  const worse = result.accuracy.filter((c) => c.status === 'fail').map((c) => c.name);
  const open = result.figures.filter((f) => f.verdict === 'inconclusive').map((f) => f.figure.label);
  const code = abExitCode(result);
  if (code === EXIT.regression) {
    const all = [...slower, ...worse];
    return `${all.length} regression${all.length === 1 ? '' : 's'}: ${all.join('; ')} (exit 1)`;
  }
  if (code === EXIT.inconclusive) {
    return `no regressions; inconclusive: ${open.join('; ')} (exit 3: more rounds, --max-seconds, or a quieter machine)`;
  }
  return 'no regressions (exit 0)';
}

export function abReport(result: AbResult): string {
  const t = 1 + result.threshold;
  const side = (s: AbResult['new']) => `${s.commit}${s.dirty ? ' with uncommitted changes' : ''}`;
  const backends =
    result.old.backend === result.new.backend
      ? `${result.new.backend} on both sides`
      : `REF ${result.old.backend}, working tree ${result.new.backend}`;
  const rows = [
    ['figure', 'unit', 'REF', 'working tree', 'new/REF [95% interval]', 'verdict'],
    ...result.figures.map(figureCells),
  ];
  return [
    `--compare ${result.ref}: REF ${side(result.old)} against the working tree (${side(result.new)})`,
    `${backends}; ${result.rounds.old.length} rounds, interleaved (REF first in every other round); ` +
      `${result.measureSeconds.toFixed(0)} s measuring, ${result.wallSeconds.toFixed(0)} s in all`,
    `a figure is a regression when its whole 95% interval is more than ${(100 * result.threshold).toFixed(0)}% slower ` +
      `(a rate ratio below ${times(1 / t)}, a latency ratio above ${times(t)}); REF and working tree columns are medians`,
    '',
    ...table(rows),
    '',
    ...result.accuracy.map(
      (c) => `${c.name}: ${c.detail}  ${{ pass: 'ok', fail: 'WORSE', skip: 'skip', info: 'info' }[c.status]}`,
    ),
    ...(result.notes.length > 0 ? ['', 'notes', ...result.notes.map((n) => `  - ${n}`)] : []),
    '',
    summary(result),
  ].join('\n');
}
