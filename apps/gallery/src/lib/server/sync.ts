// Publishes the trainer's artifacts as static files: every run is validated against the artifact contract
// first, so a half-written or outdated run is skipped (and said so) instead of shown with wrong numbers.
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  ARTIFACT_FILES,
  EmbeddingsHeaderSchema,
  HistorySchema,
  MetricsSchema,
  PIXELS,
  PredictionsSchema,
  parseArtifact,
  parseEmbeddings,
  UmapSchema,
} from '@twinnet/core';
import type { SiteIndex } from '../site-index.ts';

/** The models the gallery publishes: the tower and, for matching, pair/ (a distance head's calibration) and head/. */
const MODELS = [ARTIFACT_FILES.tower, ARTIFACT_FILES.pair, ARTIFACT_FILES.head] as const;

export interface SyncOptions {
  source: string;
  target: string;
  log?: (line: string) => void;
}

/** Replaces `target` with the valid runs of `source` and an index.json naming them. */
export async function syncArtifacts({ source, target, log = console.log }: SyncOptions): Promise<SiteIndex> {
  const index: SiteIndex = { source, runs: [], skipped: [] };
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  for (const run of await candidateRuns(source)) {
    const dir = join(source, run);
    try {
      const files = await validateRun(dir, run);
      for (const file of files) {
        await mkdir(dirname(join(target, run, file)), { recursive: true });
        await copyFile(join(dir, file), join(target, run, file));
      }
      index.runs.push(run);
    } catch (error) {
      const reason = (error as Error).message.replaceAll(`${dir}/`, '');
      index.skipped.push({ run, reason });
      log(`gallery: skipping run ${run}: ${reason}`);
    }
  }
  await writeFile(join(target, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  log(
    `gallery: ${index.runs.length} run(s) from ${source}${index.runs.length ? `: ${index.runs.join(', ')}` : ''}`,
  );
  return index;
}

/**
 * Subdirectories that hold a metrics.json. The trainer writes a run into a hidden `.<run>.partial-<pid>` folder
 * and renames it when whole, and keeps checkpoints under `.checkpoints/`: hidden names are never runs.
 */
async function candidateRuns(source: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(source, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || !/^[\w.-]+$/.test(entry.name)) continue;
    if (await exists(join(source, entry.name, ARTIFACT_FILES.metrics))) runs.push(entry.name);
  }
  return runs.sort();
}

/** Checks every file the gallery reads and returns their paths relative to the run directory. */
export async function validateRun(dir: string, run: string): Promise<string[]> {
  const text = (file: string) => readFile(join(dir, file), 'utf8').catch(() => missing(file));
  const metrics = parseArtifact(MetricsSchema, await text(ARTIFACT_FILES.metrics), ARTIFACT_FILES.metrics);
  if (metrics.run !== run) throw new Error(`metrics.json names run ${metrics.run}, its directory is ${run}`);
  parseArtifact(HistorySchema, await text(ARTIFACT_FILES.history), ARTIFACT_FILES.history);
  parseArtifact(PredictionsSchema, await text(ARTIFACT_FILES.predictions), ARTIFACT_FILES.predictions);
  const header = parseArtifact(
    EmbeddingsHeaderSchema,
    await text(ARTIFACT_FILES.embeddingsHeader),
    ARTIFACT_FILES.embeddingsHeader,
  );
  const embeddings = await readFile(join(dir, ARTIFACT_FILES.embeddings)).catch(() =>
    missing(ARTIFACT_FILES.embeddings),
  );
  parseEmbeddings(embeddings, header, ARTIFACT_FILES.embeddings);
  const umap = parseArtifact(UmapSchema, await text(ARTIFACT_FILES.umap), ARTIFACT_FILES.umap);
  if (umap.count !== header.count) {
    throw new Error(`umap.json has ${umap.count} points, embeddings.json ${header.count}`);
  }
  const images = await stat(join(dir, ARTIFACT_FILES.images)).catch(() => missing(ARTIFACT_FILES.images));
  if (images.size !== header.count * PIXELS) {
    throw new Error(`${ARTIFACT_FILES.images}: expected ${header.count * PIXELS} bytes, got ${images.size}`);
  }
  const files: string[] = [
    ARTIFACT_FILES.metrics,
    ARTIFACT_FILES.history,
    ARTIFACT_FILES.predictions,
    ARTIFACT_FILES.embeddingsHeader,
    ARTIFACT_FILES.embeddings,
    ARTIFACT_FILES.umap,
    ARTIFACT_FILES.images,
  ];
  for (const model of MODELS) files.push(...(await modelFiles(dir, model)));
  return files;
}

/** A model's model.json (`file`) and the weight files its manifest lists, which must all exist. */
async function modelFiles(dir: string, file: string): Promise<string[]> {
  const model = dirname(file);
  let manifest: { paths?: unknown }[];
  try {
    const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
    if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error('not a layers model');
    manifest = json.weightsManifest;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const weights = manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths : []));
  for (const path of weights) {
    if (typeof path !== 'string' || path.includes('..') || !(await exists(join(dir, model, path)))) {
      throw new Error(`${file}: weight file ${String(path)} is missing`);
    }
  }
  return [file, ...weights.map((path) => `${model}/${path}`)];
}

/** Copies tfjs-backend-wasm's binaries, so initBackend('wasm') finds them under WASM_URL. */
export async function copyWasmBinaries(target: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  await mkdir(target, { recursive: true });
  for (const file of await readdir(dist)) {
    if (file.endsWith('.wasm')) await copyFile(join(dist, file), join(target, file));
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

function missing(file: string): never {
  throw new Error(`${file} is missing`);
}
