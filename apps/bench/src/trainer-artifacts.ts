import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ARTIFACT_FILES,
  type BenchQuality,
  type Metrics,
  MetricsSchema,
  parseArtifact,
  type Variant,
} from '@twinnet/core';

export type ArtifactQuality = { ok: true; quality: BenchQuality } | { ok: false; reason: string };

/** Quality of the trainer's default MNIST run of a variant, from artifacts/mnist-<variant>/metrics.json. */
export async function artifactQuality(
  dir: string,
  variant: Variant,
  now = new Date(),
): Promise<ArtifactQuality> {
  const path = join(dir, `mnist-${variant}`, ARTIFACT_FILES.metrics);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { ok: false, reason: `no ${path}` };
  }
  let metrics: Metrics;
  try {
    metrics = parseArtifact(MetricsSchema, text, path);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  return {
    ok: true,
    quality: {
      variant,
      source: 'artifacts',
      artifact: {
        path,
        gitCommit: metrics.gitCommit,
        createdAt: metrics.createdAt,
        ageHours: (now.getTime() - Date.parse(metrics.createdAt)) / 3_600_000,
        backend: metrics.backend,
        epochs: metrics.training.epochs,
      },
      testPairs: metrics.test.pairs,
      accuracy: metrics.test.accuracy,
      loss: metrics.test.loss,
      auc: metrics.test.auc,
      oneShot: metrics.oneShot ? { ...metrics.oneShot.allClasses } : null,
    },
  };
}
