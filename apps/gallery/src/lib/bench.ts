import { z } from 'zod';

/** The bench history as the home page charts it (made by lib/server/bench-history.ts at sync time). */
export interface BenchPoint {
  /** ISO time of the bench run. */
  date: string;
  /** One series per variant (or classifier-trained tower) and backend; quick (smoke) runs are not comparable with full ones. */
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
  // The classifier-trained tower (vgg) counts images: it trains on labelled batches, not pairs.
  'train images/s',
  'train images/s ÷ PyTorch',
] as const;

/** The metrics that at least one point has, in BENCH_METRICS order. */
export function benchMetrics(points: readonly BenchPoint[]): string[] {
  return BENCH_METRICS.filter((m) => points.some((p) => p.values[m] !== undefined));
}
