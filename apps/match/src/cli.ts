import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Matcher } from '@twinnet/core/node';
import { DEFAULT_RUN, type MatchRequest, parseMatchArgs, USAGE, UsageError } from './args.ts';
import { cutNote } from './cut-note.ts';
import { decodeImage } from './decode.ts';
import { exportMain } from './export.ts';
import {
  type InputFile,
  labelKey,
  listQueries,
  type Prepare,
  type Problem,
  readImage,
  readSupportFolder,
} from './inputs.ts';
import { JsonStream, type ResultStream, TableStream } from './output.ts';

export type { JsonOutput } from './output.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where relative paths start: the user's directory, not apps/match where pnpm runs the script. */
  cwd: string;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  cwd: process.env.INIT_CWD ?? process.cwd(),
};

type LoadedMatcher = Awaited<ReturnType<typeof Matcher.load>>;

/**
 * Matches query images against support classes (or, as `export`, writes a run's portable matcher). Exit code 0 when every input was used, 1 when some file or
 * folder was skipped (the rest is still matched and printed) or nothing could run, 2 for a usage mistake.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  // `pnpm match export …` writes a portable matcher instead (export.ts); pnpm may forward a leading `--`.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args[0] === 'export') return exportMain(args.slice(1), io);
  let request: MatchRequest;
  try {
    request = parseMatchArgs(argv, io.cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`match: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (request.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (request.run === DEFAULT_RUN && !existsSync(join(DEFAULT_RUN, 'metrics.json'))) {
    io.stderr(
      `match: no --run given, and the default run ${DEFAULT_RUN} is not trained yet: run \`pnpm turbo train\`, or pass --run DIR`,
    );
    return 2;
  }
  try {
    return await run(request, io);
  } catch (error) {
    // Input and load errors already name the file or folder; one line is enough.
    io.stderr(`match: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function run(request: MatchRequest, io: Io): Promise<number> {
  await initBackend(request.backend, { log: io.stderr });
  const matcher = await Matcher.load(request.run, {
    ...(request.threshold !== undefined ? { threshold: request.threshold } : {}),
  });
  try {
    // Each file becomes 784 bytes as it is read: the decoded picture is dropped at once.
    const prepare: Prepare = (bytes) => matcher.prepare(decodeImage(bytes, { maxPixels: request.maxPixels }));
    const started = performance.now();
    const problems = await addSupports(matcher, request, prepare);
    const supportSeconds = (performance.now() - started) / 1000;
    if (matcher.labels.length === 0) {
      report(problems, io);
      io.stderr('match: no usable support classes; nothing to match against');
      return 1;
    }
    if (request.saveSupports) {
      await matcher.saveSupports(request.saveSupports);
      if (!request.json)
        io.stderr(`match: saved ${matcher.labels.length} classes to ${request.saveSupports}`);
    }
    const { files, problems: unlisted } = request.query
      ? await listQueries(request.query)
      : { files: [], problems: [] };
    problems.push(...unlisted);
    const output = request.json ? new JsonStream(io, matcher) : new TableStream(io, matcher, files);
    const matched = await matchInBatches(matcher, files, request, prepare, output, problems);
    output.end(problems, { supports: supportSeconds, queries: matched.seconds });
    if (!request.json && request.query) {
      const classes = matcher.labels.map((l) => `${l.label}×${l.supports}`).join(', ');
      io.stderr(
        `match: ${matcher.labels.length} classes (${classes}), ${matched.count} ` +
          `${matched.count === 1 ? 'query' : 'queries'} matched in ${matched.seconds.toFixed(2)} s`,
      );
      io.stderr(
        cutNote(matcher, { path: shownPath(io.cwd, request.run), isDefault: request.run === DEFAULT_RUN }),
      );
    }
    report(problems, io);
    return problems.length > 0 ? 1 : 0;
  } finally {
    matcher.dispose();
  }
}

/** A path as the user would type it from `cwd`: relative below it, absolute where a relative one climbs out. */
function shownPath(cwd: string, path: string): string {
  const below = relative(cwd, path);
  if (below === '') return '.';
  return below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below) ? path : below;
}

/** Saved supports, then the support folder's classes; returns what could not be used. */
async function addSupports(
  matcher: LoadedMatcher,
  request: MatchRequest,
  prepare: Prepare,
): Promise<Problem[]> {
  if (request.supports) await matcher.loadSupports(request.supports);
  if (!request.support) return [];
  const folder = await readSupportFolder(request.support, prepare);
  const saved = new Map(matcher.labels.map(({ label }) => [labelKey(label), label]));
  for (const { label, images } of folder.classes) {
    const twin = saved.get(labelKey(label));
    if (twin !== undefined && twin !== label) {
      folder.problems.push({
        path: `${request.support}/${label}`,
        message:
          `label '${label}' differs only in case from '${twin}' in ${request.supports}: one class or two? ` +
          'Rename the folder to the saved label, or to another; class skipped',
      });
      continue;
    }
    try {
      matcher.add(
        label,
        images.map((f) => f.image),
      );
    } catch (error) {
      folder.problems.push({ path: `${request.support}/${label}`, message: (error as Error).message });
    }
  }
  return folder.problems;
}

/**
 * Reads, matches and prints the queries `request.batch` files at a time, so memory stays flat however many
 * files there are. Unreadable or refused files join `problems`.
 */
async function matchInBatches(
  matcher: LoadedMatcher,
  files: readonly InputFile[],
  request: MatchRequest,
  prepare: Prepare,
  output: ResultStream,
  problems: Problem[],
): Promise<{ count: number; seconds: number }> {
  let count = 0;
  let seconds = 0;
  for (let start = 0; start < files.length; start += request.batch) {
    const batch: { path: string; name: string; image: Uint8Array }[] = [];
    for (const file of files.slice(start, start + request.batch)) {
      const result = await readImage(file, prepare);
      if ('image' in result) batch.push(result);
      else problems.push(result);
    }
    if (batch.length === 0) continue;
    const started = performance.now();
    const results = matcher.matchAll(
      batch.map((f) => f.image),
      { k: request.k },
    );
    seconds += (performance.now() - started) / 1000;
    output.rows(results.map((result, i) => ({ query: batch[i]!.name, path: batch[i]!.path, ...result })));
    count += results.length;
  }
  return { count, seconds };
}

function report(problems: readonly Problem[], io: Io): void {
  for (const { path, message } of problems) io.stderr(`match: ${path}: ${message}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`match: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
