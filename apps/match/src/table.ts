import type { MatchResult } from '@twinnet/core';

export interface Row {
  query: string;
  result: MatchResult;
}

const distance = (d: number) => d.toFixed(3);

/**
 * A plain-text table: query, best label, its distance, runner-up. When the answer is 'unknown' the runner-up
 * is the nearest label, which was too far to accept.
 */
export function formatTable(rows: readonly Row[], threshold: number): string {
  const lines = rows.map(({ query, result }) => {
    const runnerUp = result.unknown ? result.ranked[0] : result.ranked[1];
    return [
      query,
      result.label,
      distance(result.distance),
      runnerUp ? `${runnerUp.label} (${distance(runnerUp.distance)})` : '-',
    ];
  });
  const header = ['query', 'best', 'distance', 'runner-up'];
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((line) => line[c]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const unknown = rows.filter((r) => r.result.unknown).length;
  return [
    format(header),
    ...lines.map(format),
    `${rows.length} ${rows.length === 1 ? 'query' : 'queries'}, ${unknown} unknown (distance >= ${distance(threshold)})`,
  ].join('\n');
}
