import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, initBackend, Matcher, type MatchResult, MetricsSchema } from '@twinnet/core';
import { loadModelFromDir, readJsonArtifact } from '@twinnet/core/node';
import { loadDataset, type Split, selectClasses, subset } from '@twinnet/datasets';
import { type JsonOutput, main as matchCli } from './cli.ts';
import { writePngs } from './png-folders.ts';
import { drawQueries, drawSupports } from './sampling.ts';

const USAGE = `usage: pnpm --filter match evaluate -- --run DIR [options]
  One-shot matching of a hold-out run's unseen classes: supports drawn (seeded) from the TRAINING split of
  those classes, queries = all their test images; the unknown rate uses test images of the seen classes,
  which have no support. Then the same through \`pnpm match\` on PNG files, for its accuracy and speed.
  --shots LIST        supports per class (default 1,5)
  --trials N          seeded support draws per shot count (default 5)
  --seed N            (default 1)
  --seen-queries N    seen-class test images for the unknown rate (default 2000)
  --cli-queries N     images per unseen class (and in all for seen classes) written as PNG for the CLI run
                      (default 300; 0 skips it)
  --backend auto|tfjs-node|native|wasm|cpu  --json  --help`;

interface Scores {
  /** Top-ranked label is right, whatever the threshold. */
  closedAccuracy: number;
  /** The answer, 'unknown' included, is right. */
  openAccuracy: number;
  /** Unseen-class queries (their class has supports) wrongly called unknown. */
  unseenUnknown: number;
  /** Seen-class queries (no support for their class) called unknown, as they should be. */
  seenUnknown: number;
  queriesPerSecond: number;
}

interface Summary {
  shots: number;
  ways: number;
  trials: number;
  mean: Scores;
  /** Standard deviation over trials. */
  sd: Scores;
  cli: (Scores & { queries: number; seconds: number }) | null;
}

const OPTIONS = {
  run: { type: 'string' },
  shots: { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  'seen-queries': { type: 'string' },
  'cli-queries': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function evaluate(argv: readonly string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.help || !values.run) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const runDir = isAbsolute(values.run) ? values.run : resolve(cwd, values.run);
  const shotCounts = (values.shots ?? '1,5').split(',').map(Number);
  const trials = Number(values.trials ?? 5);
  const seed = Number(values.seed ?? 1);
  const seenQueries = Number(values['seen-queries'] ?? 2000);
  const cliQueries = Number(values['cli-queries'] ?? 300);
  const backend = (values.backend ?? 'auto') as BackendName;
  await initBackend(backend, { log: (line) => console.error(line) });

  const metrics = await readJsonArtifact(MetricsSchema, join(runDir, 'metrics.json'));
  const heldOut = metrics.heldOutClasses;
  if (heldOut.length < 2)
    throw new Error(`${runDir}: run '${metrics.run}' holds out no classes; train it with --holdout`);
  const seen = metrics.classNames.map((_, c) => c).filter((c) => !heldOut.includes(c));
  const dataset = await loadDataset(metrics.dataset);
  const unseenTrain = selectClasses(dataset.train, heldOut);
  const unseenTest = selectClasses(dataset.test, heldOut);
  const seenTest = drawQueries(selectClasses(dataset.test, seen), seenQueries, seed);
  // Class names as labels and folder names ('T-shirt/top' cannot be a folder name as it is).
  const label = (c: number) => metrics.classNames[c]!.replace(/[/\\]/g, '-');
  const tower = await loadModelFromDir(join(runDir, 'tower'));
  const source = { run: metrics.run, dataset: metrics.dataset, threshold: metrics.test.threshold };
  console.error(
    `${metrics.run}: unseen classes ${heldOut.map(label).join(', ')}; ${unseenTest.count} unseen and ` +
      `${seenTest.count} seen test queries; threshold ${source.threshold.toFixed(4)}`,
  );

  const summaries: Summary[] = [];
  for (const shots of shotCounts) {
    const runs: Scores[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const matcher = await Matcher.fromModel(tower, source);
      for (const [c, images] of drawSupports(unseenTrain, heldOut, shots, seed * 1000 + trial)) {
        matcher.add(label(c), images);
      }
      const started = performance.now();
      const unseen = matcher.matchAll(unseenTest.images, { k: 1 });
      const other = matcher.matchAll(seenTest.images, { k: 1 });
      const seconds = (performance.now() - started) / 1000;
      runs.push(score(unseen, Array.from(unseenTest.labels, label), other, seconds));
    }
    const cli =
      cliQueries > 0
        ? await cliRun(
            runDir,
            backend,
            unseenTrain,
            unseenTest,
            seenTest,
            heldOut,
            shots,
            seed,
            cliQueries,
            label,
          )
        : null;
    summaries.push({
      shots,
      ways: heldOut.length,
      trials,
      mean: aggregate(runs, mean),
      sd: aggregate(runs, sd),
      cli,
    });
  }
  tower.dispose();
  if (values.json)
    console.log(JSON.stringify({ run: metrics.run, threshold: source.threshold, summaries }, null, 1));
  else console.log(report(metrics.run, summaries));
  return 0;
}

function score(unseen: MatchResult[], truth: string[], seen: MatchResult[], seconds: number): Scores {
  const fraction = (results: MatchResult[], test: (r: MatchResult, i: number) => boolean) =>
    results.filter(test).length / results.length;
  return {
    closedAccuracy: fraction(unseen, (r, i) => r.ranked[0]!.label === truth[i]),
    openAccuracy: fraction(unseen, (r, i) => r.label === truth[i]),
    unseenUnknown: fraction(unseen, (r) => r.unknown),
    seenUnknown: fraction(seen, (r) => r.unknown),
    queriesPerSecond: (unseen.length + seen.length) / seconds,
  };
}

/**
 * The same evaluation through the command-line tool, on PNG files: decoding, preprocessing (the images go
 * through preprocessImage, as any file does) and the run's loading are all in the time.
 */
async function cliRun(
  runDir: string,
  backend: BackendName,
  unseenTrain: Split,
  unseenTest: Split,
  seenTest: Split,
  heldOut: number[],
  shots: number,
  seed: number,
  perClass: number,
  label: (c: number) => string,
): Promise<(Scores & { queries: number; seconds: number }) | null> {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-evaluate-'));
  try {
    for (const [c, images] of drawSupports(unseenTrain, heldOut, shots, seed * 1000)) {
      await writePngs(join(dir, 'support', label(c)), images, 'train');
    }
    for (const c of heldOut) {
      const queries = drawQueries(selectClasses(unseenTest, [c]), perClass, seed);
      await writePngs(join(dir, 'query', 'unseen', label(c)), queries.images, 'test');
    }
    await writePngs(
      join(dir, 'query', 'seen'),
      subset(seenTest, range(Math.min(perClass, seenTest.count))).images,
      'test',
    );
    let stdout = '';
    const started = performance.now();
    const code = await matchCli(
      [
        '--run',
        runDir,
        '--support',
        join(dir, 'support'),
        '--query',
        join(dir, 'query'),
        '--json',
        '--backend',
        backend,
      ],
      { stdout: (text) => (stdout += text), stderr: (text) => console.error(text), cwd: process.cwd() },
    );
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`pnpm match exited with ${code}`);
    const output = JSON.parse(stdout) as JsonOutput;
    const group = (r: JsonOutput['results'][number]) => r.query.split(sep);
    const unseen = output.results.filter((r) => group(r)[0] === 'unseen');
    const seen = output.results.filter((r) => group(r)[0] === 'seen');
    return {
      ...score(
        unseen,
        unseen.map((r) => group(r)[1]!),
        seen,
        seconds,
      ),
      queries: output.results.length,
      seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const KEYS = ['closedAccuracy', 'openAccuracy', 'unseenUnknown', 'seenUnknown', 'queriesPerSecond'] as const;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
};
const aggregate = (runs: Scores[], f: (xs: number[]) => number): Scores =>
  Object.fromEntries(KEYS.map((k) => [k, f(runs.map((r) => r[k]))])) as unknown as Scores;

function report(run: string, summaries: Summary[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${run}: ways-shots   accuracy (top-1)   open-set accuracy   unseen→unknown   seen→unknown   queries/s`,
  ];
  for (const s of summaries) {
    const cell = (k: (typeof KEYS)[number]) => `${pct(s.mean[k])} ±${(100 * s.sd[k]).toFixed(1)}`;
    lines.push(
      `  library ${s.ways}-way ${s.shots}-shot  ${cell('closedAccuracy').padEnd(17)}  ${cell('openAccuracy').padEnd(18)}  ` +
        `${cell('unseenUnknown').padEnd(15)}  ${cell('seenUnknown').padEnd(13)}  ${s.mean.queriesPerSecond.toFixed(0)}`,
    );
    if (s.cli) {
      lines.push(
        `  pnpm match ${s.shots}-shot   ${pct(s.cli.closedAccuracy).padEnd(17)}  ${pct(s.cli.openAccuracy).padEnd(18)}  ` +
          `${pct(s.cli.unseenUnknown).padEnd(15)}  ${pct(s.cli.seenUnknown).padEnd(13)}  ${s.cli.queriesPerSecond.toFixed(0)} ` +
          `(${s.cli.queries} PNG files, supports of draw 1, ${s.cli.seconds.toFixed(1)} s end to end)`,
      );
    }
  }
  lines.push(
    `  chance ${pct(1 / (summaries[0]?.ways ?? 1))}; ±: standard deviation over ${summaries[0]?.trials ?? 0} seeded support draws`,
  );
  return lines.join('\n');
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  evaluate(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`evaluate: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
