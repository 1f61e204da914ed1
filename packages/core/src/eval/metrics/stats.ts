/** Nearest-rank percentile (p in [0, 100]) of repeated measurements; the median is percentile(values, 50). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);
