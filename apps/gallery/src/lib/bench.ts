import { BenchHistoryEntrySchema, parseArtifact } from '@twinnet/core';
import { z } from 'zod';

/**
 * bench/history.jsonl, read leniently: each line is validated on its own against the bench's schema, lines
 * that validate are charted, the others are skipped and reported (a torn last line, an older schema version).
 */
export interface BenchPoint {
  /** ISO time of the bench run. */
  date: string;
  /** One series per variant and backend; quick (smoke) runs are not comparable with full ones. */
  series: string;
  values: Record<string, number>;
}

export interface BenchHistory {
  points: BenchPoint[];
  skipped: { line: number; reason: string }[];
}

export const BenchHistorySchema = z.object({
  points: z.array(
    z.object({ date: z.string(), series: z.string(), values: z.record(z.string(), z.number()) }),
  ),
  skipped: z.array(z.object({ line: z.number(), reason: z.string() })),
});

/** The figures offered for charting, in the order the picker lists them. */
export const BENCH_METRICS = [
  'train pairs/s',
  'embed images/s',
  'latency median (ms)',
  'test accuracy',
  'train pairs/s ÷ PyTorch',
] as const;

export function parseBenchHistory(text: string, file: string): BenchHistory {
  const history: BenchHistory = { points: [], skipped: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: z.infer<typeof BenchHistoryEntrySchema>;
    try {
      entry = parseArtifact(BenchHistoryEntrySchema, line, `${file}:${i + 1}`);
    } catch (error) {
      history.skipped.push({ line: i + 1, reason: (error as Error).message });
      return;
    }
    const date = Number.isNaN(Date.parse(entry.createdAt))
      ? undefined
      : new Date(entry.createdAt).toISOString();
    if (!date) {
      history.skipped.push({ line: i + 1, reason: `createdAt '${entry.createdAt}' is not a date` });
      return;
    }
    for (const v of entry.variants) {
      const values: Record<string, number> = { 'test accuracy': v.accuracy };
      const set = (key: (typeof BENCH_METRICS)[number], value: number | null) => {
        if (value !== null) values[key] = value;
      };
      set('train pairs/s', v.trainPairsPerSecond.ours);
      set('embed images/s', v.embedImagesPerSecond.ours);
      set('latency median (ms)', v.latencyMedianMs.ours);
      set('train pairs/s ÷ PyTorch', v.trainPairsPerSecond.ratio);
      const series = [v.variant, entry.backend, entry.quick ? 'quick' : undefined]
        .filter(Boolean)
        .join(' · ');
      history.points.push({ date, series, values });
    }
  });
  history.points.sort((a, b) => a.date.localeCompare(b.date));
  return history;
}

/** The metrics that at least one point has, in BENCH_METRICS order. */
export function benchMetrics(points: readonly BenchPoint[]): string[] {
  return BENCH_METRICS.filter((m) => points.some((p) => p.values[m] !== undefined));
}
