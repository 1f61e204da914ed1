/** The best of repeated rates (core has median and percentile, not this). */
export function best(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no measurements');
  return Math.max(...values);
}
