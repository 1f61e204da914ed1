// bench/history.jsonl, read leniently: each line is validated on its own, and only against the fields the
// gallery charts (taken from the bench's own schema, so a renamed field fails to compile here). Lines that
// validate are charted; the others (a torn last line, another schema version) are skipped and reported.
import { BenchHistoryEntrySchema, parseArtifact } from '@twinnet/core';
import { z } from 'zod';
import type { BENCH_METRICS, BenchHistory } from '../bench.ts';

const ChartedVariantSchema = BenchHistoryEntrySchema.shape.variants.element.pick({
  variant: true,
  trainPairsPerSecond: true,
  embedImagesPerSecond: true,
  latencyMedianMs: true,
  accuracy: true,
});

const ChartedClassifierSchema = BenchHistoryEntrySchema.shape.classifier.unwrap().pick({
  tower: true,
  trainImagesPerSecond: true,
  embedImagesPerSecond: true,
});

export const ChartedEntrySchema = BenchHistoryEntrySchema.pick({
  schemaVersion: true,
  createdAt: true,
  backend: true,
  quick: true,
}).extend({ variants: z.array(ChartedVariantSchema), classifier: ChartedClassifierSchema.optional() });
export type ChartedEntry = z.input<typeof ChartedEntrySchema>;

export function parseBenchHistory(text: string, file: string): BenchHistory {
  const history: BenchHistory = { points: [], skipped: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: z.infer<typeof ChartedEntrySchema>;
    try {
      entry = parseArtifact(ChartedEntrySchema, line, `${file}:${i + 1}`);
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
    // The classifier-trained tower (lines from before it have none): a series of its own, rates in images.
    const c = entry.classifier;
    if (c) {
      const values: Record<string, number> = {};
      const set = (key: (typeof BENCH_METRICS)[number], value: number | null) => {
        if (value !== null) values[key] = value;
      };
      set('train images/s', c.trainImagesPerSecond.ours);
      set('embed images/s', c.embedImagesPerSecond.ours);
      set('train images/s ÷ PyTorch', c.trainImagesPerSecond.ratio);
      const series = [`${c.tower} classifier`, entry.backend, entry.quick ? 'quick' : undefined]
        .filter(Boolean)
        .join(' · ');
      history.points.push({ date, series, values });
    }
  });
  history.points.sort((a, b) => a.date.localeCompare(b.date));
  return history;
}
