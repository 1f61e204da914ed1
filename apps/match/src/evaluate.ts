import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKEND_NAMES,
  type BackendName,
  describeRange,
  type MatchResult,
  MetricsSchema,
  type NumberRange,
  range,
} from '@twinnet/core';
import {
  choiceFlag,
  initBackend,
  Matcher,
  parseCommandLine,
  rangeFlag,
  readJsonArtifact,
  UsageError,
} from '@twinnet/core/node';
import { type DatasetName, loadDataset, type Split, selectClasses, subset } from '@twinnet/datasets';
import { type JsonOutput, main as matchCli } from './cli.ts';
import { writePngs } from './png-folders.ts';
import { drawQueries, drawSupports } from './sampling.ts';

/** The numeric flags' documented ranges (the usage above quotes them). */
const RANGES = {
  shots: { min: 1, max: 100, integer: true },
  trials: { min: 1, max: 100, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  seenQueries: { min: 1, max: 10_000, integer: true },
  cliQueries: { min: 0, max: 10_000, integer: true },
} as const satisfies Record<string, NumberRange>;

const USAGE = `usage: pnpm --filter match evaluate -- --run DIR [options]
  One-shot matching of a hold-out run's unseen classes: supports drawn (seeded) from the TRAINING split of
  those classes, queries = all their test images; the unknown rate uses test images of the seen classes,
  which have no support. Then the same through \`pnpm match\` on PNG files, for its accuracy and speed.
  --shots LIST        supports per class, each ${describeRange(RANGES.shots)} (default 1,5)
  --trials N          seeded support draws per shot count: ${describeRange(RANGES.trials)} (default 5)
  --seed N            ${describeRange(RANGES.seed)} (default 1)
  --seen-queries N    seen-class test images for the unknown rate: ${describeRange(RANGES.seenQueries)}
                      (default 2000)
  --cli-queries N     images per unseen class (and in all for seen classes) written as PNG for the CLI run:
                      ${describeRange(RANGES.cliQueries)} (default 300; 0 skips it)
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

interface EvaluateRequest {
  runDir: string;
  shots: number[];
  trials: number;
  seed: number;
  seenQueries: number;
  cliQueries: number;
  backend: BackendName;
  json: boolean;
}

/** The request, or a UsageError naming the flag and its range. */
export function parseEvaluateArgs(argv: readonly string[], cwd: string): EvaluateRequest | 'help' {
  const values = parseCommandLine(argv, OPTIONS);
  if (values.help === true) return 'help';
  const run = values.run as string | undefined;
  if (!run) throw new UsageError('--run is required');
  const number = (flag: keyof typeof OPTIONS, range: NumberRange, fallback: number) => {
    const text = values[flag] as string | undefined;
    return text === undefined ? fallback : rangeFlag(`--${flag}`, text, range);
  };
  return {
    runDir: isAbsolute(run) ? run : resolve(cwd, run),
    shots: ((values.shots as string | undefined) ?? '1,5')
      .split(',')
      .map((text) => rangeFlag('--shots', text, RANGES.shots)),
    trials: number('trials', RANGES.trials, 5),
    seed: number('seed', RANGES.seed, 1),
    seenQueries: number('seen-queries', RANGES.seenQueries, 2000),
    cliQueries: number('cli-queries', RANGES.cliQueries, 300),
    backend: choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto',
    json: values.json === true,
  };
}

async function evaluate(argv: readonly string[]): Promise<number> {
  let request: EvaluateRequest | 'help';
  try {
    request = parseEvaluateArgs(argv, process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`evaluate: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (request === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { runDir, seed, trials, backend } = request;
  await initBackend(backend, { log: (line) => console.error(line) });
  const metrics = await readJsonArtifact(MetricsSchema, join(runDir, 'metrics.json'));
  const heldOut = metrics.recipe.heldOutClasses;
  if (heldOut.length < 2)
    throw new Error(`${runDir}: run '${metrics.run}' holds out no classes; train it with --holdout`);
  const seen = metrics.classNames.map((_, c) => c).filter((c) => !heldOut.includes(c));
  const dataset = await loadDataset(metrics.dataset as DatasetName);
  const unseenTrain = selectClasses(dataset.train, heldOut);
  const unseenTest = selectClasses(dataset.test, heldOut);
  const seenTest = drawQueries(selectClasses(dataset.test, seen), request.seenQueries, seed);
  // Class names as labels and folder names ('T-shirt/top' cannot be a folder name as it is).
  const label = (c: number) => metrics.classNames[c]!.replace(/[/\\]/g, '-');
  // Loaded as pnpm match loads it: the run's threshold on its own measure (a distance, or an MLP head's score).
  const matcher = await Matcher.load(runDir);
  console.error(
    `${metrics.run}: unseen classes ${heldOut.map(label).join(', ')}; ${unseenTest.count} unseen and ` +
      `${seenTest.count} seen test queries; ${matcher.measure} threshold ${matcher.threshold.toFixed(4)}`,
  );

  const summaries: Summary[] = [];
  for (const shots of request.shots) {
    const runs: Scores[] = [];
    for (let trial = 0; trial < trials; trial++) {
      matcher.clear();
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
      request.cliQueries > 0
        ? await cliRun(
            runDir,
            backend,
            unseenTrain,
            unseenTest,
            seenTest,
            heldOut,
            shots,
            seed,
            request.cliQueries,
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
  matcher.dispose();
  if (request.json)
    console.log(JSON.stringify({ run: metrics.run, threshold: matcher.threshold, summaries }, null, 1));
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  evaluate(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`evaluate: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
