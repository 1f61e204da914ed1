// Fixture artifacts come from the real trainer on tiny runs, so the browser tests exercise exactly the files (and
// model JSON) a real run writes. The trainer runs as a subprocess through its public command (apps do not import
// other apps); the runs are reused until the trainer's or core's sources change or a run stops validating.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_SCHEMA_VERSION } from '@twinnet/core';
import type { ChartedEntry } from '../../src/lib/server/bench-history.ts';
import { validateRun } from '../../src/lib/server/sync.ts';
import {
  FIXTURE_RUN,
  FIXTURES,
  LEGACY_FIXTURE_RUN,
  METRIC_FIXTURE_RUN,
  MLP_FIXTURE_RUN,
  OUTPUT,
  REPO,
  SINGLE_CUT_FIXTURE_RUN,
} from './paths.ts';
import { inputsStamp } from './stamp.ts';

/** A tiny run of each head, classes 7–9 held out: a minute or two each on a busy 2-core machine. */
const SHARED_ARGS = '--dataset mnist --holdout --epochs 1 --pairs-per-epoch 512'.split(' ');
const SIZES = '--train-size 1000 --test-pairs 500 --validation-pairs 500 --episodes 50'.split(' ');
/** The scatter's test needs at least 5,000 embedded points; the other runs feed the demos and tables. */
export const FIXTURE_POINTS = 5000;
const RUNS: Record<string, string[]> = {
  [FIXTURE_RUN]: [
    ...SHARED_ARGS,
    '--variant',
    'contrastive',
    ...SIZES,
    '--embed-points',
    `${FIXTURE_POINTS}`,
  ],
  [MLP_FIXTURE_RUN]: [...SHARED_ARGS, '--variant', 'bce', ...SIZES, '--embed-points', '500'],
  // The transfer variant: cosine head, validation classes drawn by the seed (2 and 4), an open-set cut.
  [METRIC_FIXTURE_RUN]: [...SHARED_ARGS, '--variant', 'metric', ...SIZES, '--embed-points', '500'],
};
const STAMP = '.twinnet-fixture-stamp';

export async function ensureFixtures(): Promise<void> {
  const dir = fixtureArtifacts();
  const stamp = await trainerStamp();
  const made = await readFile(join(dir, STAMP), 'utf8').catch(() => '');
  const valid = (await Promise.all(Object.keys(RUNS).map((run) => validates(dir, run)))).every(Boolean);
  const retrain = made !== stamp || !valid;
  if (retrain) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(OUTPUT, { recursive: true });
    for (const [run, args] of Object.entries(RUNS)) {
      const log = join(OUTPUT, `fixture-training-${run}.log`);
      console.log(`gallery tests: training the fixture run ${run} (log: ${log})`);
      await runCommand('pnpm', ['--filter', 'trainer', 'train', '--', ...args, '--out', dir], log);
      await validateRun(join(dir, run), run);
    }
    await writeFile(join(dir, STAMP), stamp);
  }
  // Rewritten only when retrained, changed or broken: their files' times are part of the site build's stamp.
  await writeLegacyRun(dir, retrain);
  await writeSingleCutRun(dir, retrain);
  await writeBenchFixture();
}

const validates = (dir: string, run: string): Promise<boolean> =>
  validateRun(join(dir, run), run).then(
    () => true,
    () => false,
  );

/** What the fixtures are made from: the trainer's command and sources, and the libraries it trains with. */
const trainerStamp = (): Promise<string> =>
  inputsStamp(
    ['apps/trainer/src', 'apps/trainer/package.json', 'packages/core/src', 'packages/datasets/src'].map((p) =>
      join(REPO, p),
    ),
    JSON.stringify(RUNS),
  );

type Json = Record<string, unknown>;

/**
 * The MLP run as the trainer wrote runs before validation classes: no `embedding`, no `openSet`, no
 * recipe.validationClasses, no per-epoch valTransfer, no cross-dataset episodes. The pages must still render it.
 */
const writeLegacyRun = (dir: string, force: boolean): Promise<void> =>
  writeOlderCopy(dir, MLP_FIXTURE_RUN, LEGACY_FIXTURE_RUN, force, {
    metrics: (metrics, recipe) => {
      delete metrics.embedding;
      delete metrics.openSet;
      delete (metrics.oneShot as Json).crossDataset;
      delete recipe.validationClasses;
    },
    history: (history) => {
      for (const epoch of history.epochs as Json[]) delete epoch.valTransfer;
    },
    // Before umap.json carried each point's neighbours: the gallery finds them in embeddings.f32.
    umap: (umap) => {
      delete umap.neighbours;
    },
  });

/**
 * The metric run as the trainer wrote runs before per-count cuts and cross-dataset episodes: one open-set cut
 * (the 5-shot one, which metrics.json repeats at the top of `openSet`) and no cut curves.
 */
const writeSingleCutRun = (dir: string, force: boolean): Promise<void> =>
  writeOlderCopy(dir, METRIC_FIXTURE_RUN, SINGLE_CUT_FIXTURE_RUN, force, {
    metrics: (metrics) => {
      delete (metrics.openSet as Json).cuts;
      delete (metrics.oneShot as Json).crossDataset;
    },
  });

/**
 * A copy of a fixture run under another name, its JSON files changed as an older trainer would have written them.
 * Left alone when it already has exactly those files and validates, unless `force` (its source was retrained).
 */
async function writeOlderCopy(
  dir: string,
  from: string,
  run: string,
  force: boolean,
  change: {
    metrics: (metrics: Json, recipe: Json) => void;
    history?: (history: Json) => void;
    umap?: (umap: Json) => void;
  },
): Promise<void> {
  const target = join(dir, run);
  const edits: Record<string, (json: Json) => void> = {
    'metrics.json': (metrics) => {
      const recipe = metrics.recipe as Json;
      recipe.run = run;
      change.metrics(metrics, recipe);
    },
    'history.json': change.history ?? (() => {}),
    'predictions.json': () => {},
    'umap.json': change.umap ?? (() => {}),
  };
  const texts = await Promise.all(
    Object.entries(edits).map(async ([file, edit]) => {
      const json = JSON.parse(await readFile(join(dir, from, file), 'utf8')) as Json;
      if ('run' in json) json.run = run;
      edit(json);
      return [file, `${JSON.stringify(json, null, 1)}\n`] as const;
    }),
  );
  const same = await Promise.all(
    texts.map(async ([file, text]) => (await readFile(join(target, file), 'utf8').catch(() => '')) === text),
  );
  if (!force && same.every(Boolean) && (await validates(dir, run))) return;
  await rm(target, { recursive: true, force: true });
  await cp(join(dir, from), target, { recursive: true });
  for (const [file, text] of texts) await writeFile(join(target, file), text);
  await validateRun(target, run);
}

/** Two bench runs (the fields of a history line that the gallery charts), and a torn line it must skip. */
async function writeBenchFixture(): Promise<void> {
  const figure = (ours: number, peer: number) => ({ ours, peer, ratio: ours / peer });
  const entry = (createdAt: string, pairsPerSecond: number): ChartedEntry => ({
    schemaVersion: BENCH_SCHEMA_VERSION,
    createdAt,
    quick: false,
    backend: 'wasm',
    variants: (['contrastive', 'bce'] as const).map((variant, k) => ({
      variant,
      trainPairsPerSecond: figure(pairsPerSecond / (k + 1), 1500),
      embedImagesPerSecond: figure(9000 / (k + 1), 8000),
      latencyMedianMs: figure(2 + k, 3),
      accuracy: 0.95 + 0.01 * k,
    })),
  });
  const lines = [
    JSON.stringify(entry('2026-01-02T10:00:00.000Z', 1800)),
    '{"schemaVersion": 1, "createdAt": "2026-01-05',
    JSON.stringify(entry('2026-01-09T10:00:00.000Z', 2100)),
  ];
  const text = `${lines.join('\n')}\n`;
  // Rewritten only when it changed: its timestamp is part of the site build's stamp.
  if ((await readFile(benchFixtureFile(), 'utf8').catch(() => '')) === text) return;
  await mkdir(join(FIXTURES, 'bench'), { recursive: true });
  await writeFile(benchFixtureFile(), text);
}

export const benchFixtureFile = (): string => join(FIXTURES, 'bench', 'history.jsonl');
export const fixtureArtifacts = (): string => join(FIXTURES, 'artifacts');

/** Runs a command from the repository root, its output to a log file; fails with the log's tail. */
export function runCommand(
  command: string,
  args: string[],
  logFile: string,
  env: Record<string, string> = {},
  cwd = REPO,
) {
  return new Promise<void>((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('error', reject);
    child.on('close', async (code) => {
      log.end();
      if (code === 0) return resolve();
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}; end of ${logFile}:\n${tail}`));
    });
  });
}
