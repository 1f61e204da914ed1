// A portable matcher: what Matcher.load needs of a trainer run and nothing else, to ship beside an app (a web
// page, a server) without the run's predictions, embeddings and pair model. Node only (node:fs): exported by
// '@twinnet/core/node', never by the browser entry, which loads the result with Matcher.load(url).
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { replaceDirectory, writeFileAtomic } from '../io/atomic-write.ts';
import { nodeIo } from '../io/node-io.ts';
import { ARTIFACT_FILES, embeddingFor, MetricsSchema, parseArtifact } from '../schemas/artifacts.ts';
import {
  EXPORTED_MATCHER_FORMAT,
  type ExportedMatcher,
  ExportedMatcherSchema,
  isExportedMatcherText,
  metricOf,
  type RunInfo,
} from '../schemas/matcher.ts';
import { Matcher, parseRunInfo, readDistanceCalibration } from './matcher.ts';

export interface ExportSummary {
  /** The run's name (metrics.json `run`). */
  run: string;
  /** Every file written, relative to the export's folder, with its size; and their total. */
  files: { path: string; bytes: number }[];
  bytes: number;
}

/** What the trainer records of where a run came from; runs written before some of it lack it. */
const ProvenanceSchema = MetricsSchema.pick({ gitCommit: true, gitDirty: true, createdAt: true }).partial();

/**
 * Writes the matcher of the run in `runDir` to `outDir`: metrics.json (ExportedMatcherSchema: identity,
 * framing, metric and calibration), tower/ and, for an MLP head, head/. The run is loaded first, so an export
 * only exists for a run that matches. `outDir` must be new, empty or an earlier export (which it replaces
 * whole); it is written beside its place and renamed in, so a failure leaves no half export.
 */
export async function exportMatcher(
  runDir: string,
  outDir: string,
  { now = new Date() }: { now?: Date } = {},
): Promise<ExportSummary> {
  if (resolve(runDir) === resolve(outDir))
    throw new Error(`${outDir}: is the run itself; export to another folder`);
  await checkOutDir(outDir);
  const metricsPath = join(runDir, ARTIFACT_FILES.metrics);
  const text = await nodeIo.readText(metricsPath).catch((error: Error) => {
    throw new Error(`${runDir}: not a trained run (${error.message})`);
  });
  const info = parseRunInfo(text, metricsPath);
  if ('format' in info) throw new Error(`${runDir}: is already an exported matcher; copy the folder instead`);
  const provenance = parseArtifact(ProvenanceSchema, text, metricsPath);
  // Loading checks every piece the export copies, and gives the tower's identity and the run's framing.
  const matcher = await Matcher.load(runDir, { io: nodeIo });
  let exported: ExportedMatcher;
  try {
    exported = ExportedMatcherSchema.parse({
      format: EXPORTED_MATCHER_FORMAT,
      version: 1,
      ...runFields(info),
      weights: matcher.model.weights,
      embeddingDim: matcher.model.embeddingDim,
      framing: matcher.style,
      gitCommit: provenance.gitCommit ?? null,
      gitDirty: provenance.gitDirty ?? null,
      createdAt: provenance.createdAt ?? null,
      exportedAt: now.toISOString(),
      ...(metricOf(info) === 'euclidean' && !info.openSet
        ? { distanceCalibration: await readDistanceCalibration(runDir, nodeIo) }
        : {}),
    } satisfies ExportedMatcher);
  } finally {
    matcher.dispose();
  }
  const models = metricOf(info) === 'head' ? ['tower', 'head'] : ['tower'];
  await replaceDirectory(outDir, async (temp) => {
    await writeFileAtomic(join(temp, ARTIFACT_FILES.metrics), `${JSON.stringify(exported, null, 1)}\n`);
    for (const model of models) await copyModel(join(runDir, model), join(temp, model));
  });
  const files = await listFiles(outDir);
  return { run: info.run, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
}

/** The RunInfo fields as the export keeps them, with the embedding written out for runs that predate it. */
function runFields(info: RunInfo): RunInfo {
  return {
    run: info.run,
    dataset: info.dataset,
    polarity: info.polarity,
    embedding: info.embedding ?? embeddingFor(info.recipe.head.kind),
    recipe: {
      variant: info.recipe.variant,
      head: info.recipe.head,
      validationClasses: info.recipe.validationClasses,
    },
    ...(info.classNames ? { classNames: info.classNames } : {}),
    test: { threshold: info.test.threshold },
    openSet: info.openSet ?? null,
  };
}

/** Refuses to replace anything but nothing, an empty folder or an earlier export. */
async function checkOutDir(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new Error(`${outDir}: cannot be written (${code === 'ENOTDIR' ? 'it is a file' : code})`);
  }
  if (names.length === 0) return;
  const text = await readFile(join(outDir, ARTIFACT_FILES.metrics), 'utf8').catch(() => '');
  if (!isExportedMatcherText(text)) {
    throw new Error(
      `${outDir}: exists and is not an exported matcher; give a new or empty folder (an earlier export is replaced)`,
    );
  }
}

/** Copies a saved layers model: model.json and the weight files its manifest names, nothing else. */
async function copyModel(from: string, to: string): Promise<void> {
  const jsonPath = join(from, 'model.json');
  const manifest = (
    JSON.parse(await readFile(jsonPath, 'utf8')) as { weightsManifest: { paths: string[] }[] }
  ).weightsManifest;
  await mkdir(to, { recursive: true });
  await copyFile(jsonPath, join(to, 'model.json'));
  for (const path of manifest.flatMap((group) => group.paths)) {
    // Weight files sit beside model.json (as saveModelToDir writes them): nothing outside is read or written.
    if (/[\\/]/.test(path) || path === '..' || path === '.')
      throw new Error(`${jsonPath}: weight file '${path}' is not beside model.json`);
    await copyFile(join(from, path), join(to, path));
  }
}

async function listFiles(dir: string, prefix = ''): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, path)));
    else out.push({ path, bytes: (await stat(join(dir, path))).size });
  }
  return out;
}
