import type { Polarity } from '../../model/heads/head.ts';

/** A label and the rows (supports) that carry it. */
export interface LabelGroup {
  label: string;
  rows: readonly number[];
}

/**
 * Labels ranked by the mean value over their supports' columns of one query's row, closest first: how the
 * matcher ranks, and how open-set calibration scores a query (the best label's mean).
 */
export function rankLabels(
  row: ArrayLike<number>,
  groups: readonly LabelGroup[],
  polarity: Polarity,
  k: number,
): { label: string; value: number }[] {
  const sign = polarity === 'lower-is-same' ? 1 : -1;
  return groups
    .map(({ label, rows }) => ({ label, value: rows.reduce((sum, r) => sum + row[r]!, 0) / rows.length }))
    .sort((a, b) => sign * (a.value - b.value))
    .slice(0, k);
}
