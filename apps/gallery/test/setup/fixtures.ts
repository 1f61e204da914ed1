// Fixture artifacts come from the real trainer on tiny runs, so the browser tests exercise exactly the files (and
// model JSON) a real run writes. The trainer runs as a subprocess through its public command (apps do not import
// other apps); the runs are reused until the trainer's or core's sources change or a run stops validating.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_SCHEMA_VERSION } from '@twinnet/core';
import type { ChartedEntry } from '../../src/lib/server/bench-history.ts';
import { validateRun } from '../../src/lib/server/sync.ts';
import { FIXTURE_RUN, FIXTURES, MLP_FIXTURE_RUN, OUTPUT, REPO } from './paths.ts';
import { inputsStamp } from './stamp.ts';

/** A tiny run of each head, classes 7–9 held out: about a minute on a busy 2-core machine. */
const SHARED_ARGS = '--dataset mnist --holdout --epochs 1 --pairs-per-epoch 512'.split(' ');
const SIZES = '--train-size 1000 --test-pairs 500 --validation-pairs 500 --episodes 50'.split(' ');
/** The scatter's test needs at least 5,000 embedded points; the MLP run only feeds the demos. */
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
};
const STAMP = '.twinnet-fixture-stamp';

export async function ensureFixtures(): Promise<void> {
  const dir = fixtureArtifacts();
  const stamp = await trainerStamp();
  const made = await readFile(join(dir, STAMP), 'utf8').catch(() => '');
  const valid = await Promise.all(Object.keys(RUNS).map((run) => validateRun(join(dir, run), run))).then(
    () => true,
    () => false,
  );
  if (made !== stamp || !valid) {
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
  await writeBenchFixture();
}

/** What the fixtures are made from: the trainer's command and sources, and the libraries it trains with. */
const trainerStamp = (): Promise<string> =>
  inputsStamp(
    ['apps/trainer/src', 'apps/trainer/package.json', 'packages/core/src', 'packages/datasets/src'].map((p) =>
      join(REPO, p),
    ),
    JSON.stringify(RUNS),
  );

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
