/**
 * A tick format for a time axis over `dates` (ms since the epoch, UTC): month-day, plus the time of day when
 * the dates span under two days, where several bench runs a day would otherwise share one label.
 */
export function dateTickFormat(dates: readonly number[]): (v: number) => string {
  const span = dates.length > 0 ? Math.max(...dates) - Math.min(...dates) : 0;
  return span < 2 * 86_400_000
    ? (v) => new Date(v).toISOString().slice(5, 16).replace('T', ' ')
    : (v) => new Date(v).toISOString().slice(5, 10);
}
