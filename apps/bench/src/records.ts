import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type BenchHistoryEntry,
  BenchHistoryEntrySchema,
  type BenchResult,
  BenchResultSchema,
  parseBenchResult,
  preset,
} from '@twinnet/core';
import { writeJsonAtomic } from '@twinnet/core/node';

/** results/<date>-<commit>.json: the date carries the time of day so runs on one commit do not collide. */
export function resultFileName(result: BenchResult): string {
  const stamp = result.createdAt.slice(0, 19).replaceAll(':', '').replace('T', '-');
  return `${stamp}-${result.gitCommit}${result.gitDirty ? '-dirty' : ''}.json`;
}

/** Validates, then writes the full result and appends its summary to history.jsonl. Returns the result path. */
export async function recordResult(result: BenchResult, benchDir: string): Promise<string> {
  // Validated as an object, not as JSON text: JSON.stringify would quietly turn a NaN into a valid null.
  const parsed = BenchResultSchema.safeParse(result);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`the new bench result does not match the schema, not written: ${problems}`);
  }
  const valid = parsed.data;
  const path = join(benchDir, 'results', resultFileName(valid));
  await writeJsonAtomic(path, valid);
  const entry = BenchHistoryEntrySchema.parse(historyEntry(valid, relative(benchDir, path)));
  await mkdir(benchDir, { recursive: true });
  await appendFile(join(benchDir, 'history.jsonl'), `${JSON.stringify(entry)}\n`);
  return path;
}

export async function readResult(path: string): Promise<BenchResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path}: no such bench result (run \`pnpm bench\` to produce one)`
        : `${path}: cannot be read (${code ?? (error as Error).message})`,
    );
  }
  return parseBenchResult(text, path);
}

/** The throughput entries at each variant's preset batch size (what the trainer trains at) (the other sizes are in the result only). */
export function atTrainerBatch(throughput: BenchResult['throughput']): BenchResult['throughput'] {
  return throughput.filter((t) => t.batchSize === preset('mnist', t.variant).batchSize);
}

export function historyEntry(result: BenchResult, file: string): BenchHistoryEntry {
  const threads = result.peer.ratioThreads;
  const at = (figure: BenchResult['throughput'][number]['trainPairsPerSecond']) => ({
    ours: figure.ours,
    peer: figure.peer.find((p) => p.threads === threads)?.value ?? null,
    ratio: figure.ratio,
  });
  const classifier = result.classifierThroughput[0];
  return {
    schemaVersion: result.schemaVersion,
    createdAt: result.createdAt,
    gitCommit: result.gitCommit,
    gitDirty: result.gitDirty,
    file,
    quick: result.protocol.quick,
    backend: result.backend.name,
    peerThreads: result.peer.available ? threads : null,
    loadAverage1m: result.machine.loadAverage.start[0],
    // One entry per variant, at the trainer's batch size (the history charts one line per variant).
    variants: atTrainerBatch(result.throughput).map((t) => {
      const quality = result.quality.find((q) => q.variant === t.variant);
      const short = result.shortRun.find((s) => s.variant === t.variant);
      if (!quality || !short) throw new Error(`result has no quality or short run for ${t.variant}`);
      return {
        variant: t.variant,
        trainPairsPerSecond: at(t.trainPairsPerSecond),
        trainPairsPerCpuSecond: at(t.trainPairsPerCpuSecond),
        embedImagesPerSecond: at(t.embedImagesPerSecond),
        latencyMedianMs: at(t.latencyMedianMs),
        accuracy: quality.accuracy,
        accuracySource: quality.source,
        shortRunAccuracy: at(short.accuracy),
      };
    }),
    timeToAccuracy: {
      target: result.timeToAccuracy.target,
      capSeconds: result.timeToAccuracy.capSeconds,
      ours: result.timeToAccuracy.ours.seconds,
      peer: result.timeToAccuracy.peer.find((p) => p.threads === threads)?.seconds ?? null,
    },
    peakRssMiB: at(result.memory.peakRssMiB),
    ...(classifier
      ? {
          classifier: {
            tower: classifier.tower,
            batchSize: classifier.batchSize,
            trainImagesPerSecond: at(classifier.trainImagesPerSecond),
            trainImagesPerCpuSecond: at(classifier.trainImagesPerCpuSecond),
            embedImagesPerSecond: at(classifier.embedImagesPerSecond),
          },
        }
      : {}),
  };
}
