import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKEND_NAMES,
  type BackendName,
  describeRange,
  type MatchResult,
  type Measure,
  type Metrics,
  MetricsSchema,
  measureValue,
  type NumberRange,
  range,
  rocAuc,
} from '@twinnet/core';
import {
  choiceFlag,
  classListFlag,
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
  those classes, queries = all their test images. Queries of classes without supports, which should come out
  unknown: test images of the classes the run trained on, and of its validation classes (never trained on)
  when it has some. Reports accuracy on the supported classes' queries, both unknown rates and the open-set
  AUROC. Then the same through \`pnpm match\` on PNG files, for its accuracy and speed.
  --shots LIST        supports per class, each ${describeRange(RANGES.shots)} (default 1,5)
  --trials N          seeded support draws per shot count: ${describeRange(RANGES.trials)} (default 5)
  --seed N            ${describeRange(RANGES.seed)} (default 1)
  --seen-queries N    test images of classes without supports, for the unknown rates (that many of the trained
                      classes, and as many of the validation classes): ${describeRange(RANGES.seenQueries)}
                      (default 2000)
  --without-supports LIST
                      held-out classes given no supports: their test queries join the never-seen ones (a
                      refit run trained on its validation classes, so this is its never-seen test), e.g. 9
  --cli-queries N     images per unseen class (and in all for seen classes) written as PNG for the CLI run:
                      ${describeRange(RANGES.cliQueries)} (default 300; 0 skips it)
  --backend auto|tfjs-node|native|wasm|cpu  --json  --help`;

/** Figures of one support draw; null where the run has no queries of that kind (no validation classes). */
export interface Scores {
  /** Queries of the supported (held-out) classes: the top-ranked label is right, whatever the threshold. */
  closedAccuracy: number;
  /** Queries of the supported classes: the answer, 'unknown' counted wrong, is right. */
  openAccuracy: number;
  /** Queries of the supported classes (unseen in training, given supports) wrongly called unknown. */
  unseenUnknown: number;
  /** Queries of classes the run trained on, which have no supports, called unknown as they should be. */
  seenUnknown: number;
  /** Queries of the run's validation classes (never trained on, no supports) called unknown. */
  neverSeenUnknown: number | null;
  /** Open-set AUROC: supported-class queries against trained-class ones, by the best label's value. */
  auroc: number;
  /** The same against the validation classes' queries. */
  aurocNeverSeen: number | null;
  queriesPerSecond: number;
}

export interface Summary {
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
  'without-supports': { type: 'string' },
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
  /** Held-out classes kept without supports, as never-seen queries. */
  withoutSupports: number[];
  backend: BackendName;
  json: boolean;
}

/**
 * Which classes an evaluation gives supports (the held-out ones but those named by --without-supports), which
 * are never-seen queries without supports (those named, or else the run's validation classes) and which are
 * trained ones without supports (the rest).
 */
export function queryClasses(
  metrics: Pick<Metrics, 'run' | 'recipe' | 'classNames'>,
  withoutSupports: readonly number[],
  runDir: string,
): { heldOut: number[]; neverSeen: number[]; seen: number[] } {
  const { heldOutClasses, validationClasses } = metrics.recipe;
  const odd = withoutSupports.filter((c) => !heldOutClasses.includes(c));
  if (odd.length > 0)
    throw new UsageError(
      `--without-supports: class ${odd.join(',')} is not one of run '${metrics.run}''s held-out classes ` +
        `(${heldOutClasses.join(',') || 'none'})`,
    );
  const heldOut = heldOutClasses.filter((c) => !withoutSupports.includes(c));
  if (heldOut.length < 2)
    throw new Error(
      `${runDir}: run '${metrics.run}' needs at least 2 held-out classes with supports` +
        (withoutSupports.length ? ' (fewer --without-supports)' : '; train it with --holdout'),
    );
  const neverSeen = withoutSupports.length > 0 ? [...withoutSupports] : validationClasses;
  const seen = metrics.classNames
    .map((_, c) => c)
    .filter((c) => !heldOutClasses.includes(c) && !validationClasses.includes(c));
  return { heldOut, neverSeen, seen };
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
    // Checked against the run's held-out classes once its metrics.json is read.
    withoutSupports: classListFlag(
      '--without-supports',
      (values['without-supports'] as string | undefined) ?? '',
      256,
    ),
    backend: choiceFlag('--backend', values.backend, BACKEND_NAMES) ?? 'auto',
    json: values.json === true,
  };
}

/**
 * `match evaluate`: exit 0 with the figures, 2 for a usage mistake (also one found once the run is read, such
 * as a --without-supports class it does not hold out), 1 for anything else.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await evaluate(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`evaluate: ${error.message}\n${USAGE}`);
    return 2;
  }
}

async function evaluate(argv: readonly string[]): Promise<number> {
  const request = parseEvaluateArgs(argv, process.env.INIT_CWD ?? process.cwd());
  if (request === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { runDir, seed, trials, backend } = request;
  // The run's classes first: a flag that does not fit them is refused before any backend or data is loaded.
  const metrics = await readJsonArtifact(MetricsSchema, join(runDir, 'metrics.json'));
  const { heldOut, neverSeen, seen } = queryClasses(metrics, request.withoutSupports, runDir);
  await initBackend(backend, { log: (line) => console.error(line) });
  const { withoutSupports } = request;
  const dataset = await loadDataset(metrics.dataset as DatasetName);
  const unseenTrain = selectClasses(dataset.train, heldOut);
  const unseenTest = selectClasses(dataset.test, heldOut);
  const seenTest = drawQueries(selectClasses(dataset.test, seen), request.seenQueries, seed);
  // Test images only: the run chose its open-set cut on these classes' training images.
  const neverSeenTest =
    neverSeen.length > 0
      ? drawQueries(selectClasses(dataset.test, neverSeen), request.seenQueries, seed)
      : null;
  // Class names as labels and folder names ('T-shirt/top' cannot be a folder name as it is).
  const label = (c: number) => metrics.classNames[c]!.replace(/[/\\]/g, '-');
  // Loaded as pnpm match loads it: the run's threshold on its own measure (a distance, a cosine similarity or
  // an MLP head's score), from its open-set calibration when it has one.
  const matcher = await Matcher.load(runDir);
  console.error(
    `${metrics.run}: supports for unseen classes ${heldOut.map(label).join(', ')}; ${unseenTest.count} of their ` +
      `test queries, ${seenTest.count} of trained classes without supports` +
      (neverSeenTest
        ? `, ${neverSeenTest.count} of ${withoutSupports.length ? 'held-out' : 'validation'} classes ` +
          `${neverSeen.map(label).join(', ')} (never trained on, no supports)`
        : '') +
      `; ${matcher.measure} threshold ${matcher.threshold.toFixed(4)} (${THRESHOLD_SOURCES[matcher.thresholdSource]})`,
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
      const never = neverSeenTest ? matcher.matchAll(neverSeenTest.images, { k: 1 }) : null;
      const seconds = (performance.now() - started) / 1000;
      runs.push(
        scoreResults(
          {
            supported: unseen,
            truth: Array.from(unseenTest.labels, label),
            trained: other,
            neverSeen: never,
          },
          matcher.measure,
          seconds,
        ),
      );
    }
    const cli =
      request.cliQueries > 0
        ? await cliRun(
            runDir,
            backend,
            unseenTrain,
            unseenTest,
            seenTest,
            neverSeenTest,
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
  if (request.json) {
    const { measure, threshold, thresholdSource } = matcher;
    const head = { run: metrics.run, measure, threshold, thresholdSource, neverSeenClasses: neverSeen };
    console.log(JSON.stringify({ ...head, summaries }, null, 1));
  } else console.log(report(metrics.run, summaries));
  return 0;
}

const THRESHOLD_SOURCES = {
  'open-set': "the run's open-set calibration",
  'validation-pairs': 'chosen on validation pairs',
  given: 'given',
} as const;

/** One draw's answers: queries of the supported classes (with their true labels) and of classes without. */
export interface DrawResults {
  supported: readonly Pick<MatchResult, 'label' | 'unknown' | 'ranked'>[];
  truth: readonly string[];
  /** Queries of classes the run trained on. */
  trained: readonly Pick<MatchResult, 'unknown' | 'ranked'>[];
  /** Queries of classes the run never trained on and without supports; null when there are none. */
  neverSeen: readonly Pick<MatchResult, 'unknown' | 'ranked'>[] | null;
}

/**
 * Accuracy on the supported classes' queries, the unknown rates and the open-set AUROC of one draw. A query's
 * open-set score is its best label's value on the measure (ranked[0]: filled even when the answer is unknown).
 */
export function scoreResults(draw: DrawResults, measure: Measure, seconds: number): Scores {
  const { supported, truth, trained, neverSeen } = draw;
  const fraction = <R>(results: readonly R[], test: (r: R, i: number) => boolean) =>
    results.filter(test).length / results.length;
  const unknown = (results: readonly { unknown: boolean }[]) => fraction(results, (r) => r.unknown);
  const polarity = measure === 'distance' ? 'lower-is-same' : 'higher-is-same';
  const auroc = (without: readonly Pick<MatchResult, 'ranked'>[]) => {
    const scores = [...supported, ...without].map((r) => measureValue(r.ranked[0]!));
    const same = [...supported.map(() => 1), ...without.map(() => 0)];
    return rocAuc(scores, same, polarity);
  };
  return {
    closedAccuracy: fraction(supported, (r, i) => r.ranked[0]!.label === truth[i]),
    openAccuracy: fraction(supported, (r, i) => r.label === truth[i]),
    unseenUnknown: unknown(supported),
    seenUnknown: unknown(trained),
    neverSeenUnknown: neverSeen ? unknown(neverSeen) : null,
    auroc: auroc(trained),
    aurocNeverSeen: neverSeen ? auroc(neverSeen) : null,
    queriesPerSecond: (supported.length + trained.length + (neverSeen?.length ?? 0)) / seconds,
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
  neverSeenTest: Split | null,
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
    if (neverSeenTest) {
      await writePngs(
        join(dir, 'query', 'never-seen'),
        subset(neverSeenTest, range(Math.min(perClass, neverSeenTest.count))).images,
        'test',
      );
    }
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
    const inGroup = (name: string) => output.results.filter((r) => group(r)[0] === name);
    const unseen = inGroup('unseen');
    const draw = {
      supported: unseen,
      truth: unseen.map((r) => group(r)[1]!),
      trained: inGroup('seen'),
      neverSeen: neverSeenTest ? inGroup('never-seen') : null,
    };
    return {
      ...scoreResults(draw, output.measure, seconds),
      queries: output.results.length,
      seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const KEYS = [
  'closedAccuracy',
  'openAccuracy',
  'unseenUnknown',
  'seenUnknown',
  'neverSeenUnknown',
  'auroc',
  'aurocNeverSeen',
  'queriesPerSecond',
] as const;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
};
/** Each figure over the draws; null stays null (the run has no queries of that kind). */
export const aggregate = (runs: Scores[], f: (xs: number[]) => number): Scores =>
  Object.fromEntries(
    KEYS.map((k) => {
      const values = runs.map((r) => r[k]);
      return [k, values.some((v) => v === null) ? null : f(values as number[])];
    }),
  ) as unknown as Scores;

/** The table of `evaluate` without --json: one line per shot count, and one for `pnpm match` on PNG files. */
export function report(run: string, summaries: Summary[]): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  const auc = (x: number | null) => (x === null ? '-' : x.toFixed(3));
  const never = summaries.some((s) => s.mean.neverSeenUnknown !== null);
  type Key = (typeof KEYS)[number];
  const columns: [string, Key, 'pct' | 'auc'][] = [
    ['accuracy (top-1)', 'closedAccuracy', 'pct'],
    ['accuracy (open set)', 'openAccuracy', 'pct'],
    ['supported→unknown', 'unseenUnknown', 'pct'],
    ['trained, no supports→unknown', 'seenUnknown', 'pct'],
    ...(never
      ? [['never seen, no supports→unknown', 'neverSeenUnknown', 'pct'] as [string, Key, 'pct']]
      : []),
    ['AUROC vs trained', 'auroc', 'auc'],
    ...(never ? [['AUROC vs never seen', 'aurocNeverSeen', 'auc'] as [string, Key, 'auc']] : []),
  ];
  const rows: string[][] = [[`${run}:`, ...columns.map(([name]) => name), 'queries/s']];
  const notes: string[] = [''];
  for (const s of summaries) {
    const cell = (k: Key, kind: 'pct' | 'auc') =>
      kind === 'auc'
        ? auc(s.mean[k])
        : s.mean[k] === null
          ? '-'
          : `${pct(s.mean[k])} ±${(100 * s.sd[k]!).toFixed(1)}`;
    rows.push([
      `  library ${s.ways}-way ${s.shots}-shot`,
      ...columns.map(([, k, kind]) => cell(k, kind)),
      s.mean.queriesPerSecond.toFixed(0),
    ]);
    notes.push('');
    if (s.cli) {
      const cli = s.cli;
      rows.push([
        `  pnpm match ${s.shots}-shot`,
        ...columns.map(([, k, kind]) => (kind === 'auc' ? auc(cli[k]) : pct(cli[k]))),
        cli.queriesPerSecond.toFixed(0),
      ]);
      notes.push(` (${cli.queries} PNG files, supports of draw 1, ${cli.seconds.toFixed(1)} s end to end)`);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map(
    (r, i) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('   ')
        .trimEnd() + notes[i],
  );
  lines.push(
    `  chance ${pct(1 / (summaries[0]?.ways ?? 1))}; ±: standard deviation over ${summaries[0]?.trials ?? 0} seeded support draws; ` +
      "AUROC: how well the best label's value tells queries of supported classes from those of classes without supports",
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`evaluate: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
