// Build-time reads of the published data (public/data, written by scripts/sync-artifacts.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ARTIFACT_FILES,
  type History,
  HistorySchema,
  type Metrics,
  MetricsSchema,
  parseArtifact,
} from '@twinnet/core';
import { type BenchHistory, BenchHistorySchema } from '../bench.ts';
import { type SiteIndex, SiteIndexSchema } from '../site-index.ts';
import { artifactsDir, DATA_DIR } from './paths.ts';

/** The published runs; none (with the artifacts path for the message) when the sync step has not run. */
export async function readIndex(): Promise<SiteIndex> {
  const file = join(DATA_DIR, 'index.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { source: artifactsDir(), runs: [], skipped: [] };
  return parseArtifact(SiteIndexSchema, text, file);
}

const readRunFile = <T>(schema: Parameters<typeof parseArtifact<T>>[0], run: string, file: string) =>
  readFile(join(DATA_DIR, run, file), 'utf8').then((text) => parseArtifact(schema, text, `${run}/${file}`));

export const readMetrics = (run: string): Promise<Metrics> =>
  readRunFile(MetricsSchema, run, ARTIFACT_FILES.metrics);

export const readHistory = (run: string): Promise<History> =>
  readRunFile(HistorySchema, run, ARTIFACT_FILES.history);

/** The bench history, when bench/history.jsonl existed at sync time. */
export async function readBench(): Promise<BenchHistory | undefined> {
  const file = join(DATA_DIR, 'bench.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseArtifact(BenchHistorySchema, text, file);
}
