import { fileURLToPath } from 'node:url';
import { initBackend, Matcher, type MatchResult } from '@twinnet/core';
import { type MatchRequest, parseMatchArgs, USAGE, UsageError } from './args.ts';
import { type Problem, readQueries, readSupportFolder } from './inputs.ts';
import { formatTable } from './table.ts';

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

export interface JsonOutput {
  run: string;
  threshold: number;
  supports: { label: string; supports: number }[];
  results: ({ query: string; path: string } & MatchResult)[];
  problems: Problem[];
  seconds: { supports: number; queries: number };
}

/**
 * Matches query images against support classes. Exit code 0 when every input was used, 1 when some file or
 * folder was skipped (the rest is still matched and printed) or nothing could run, 2 for a usage mistake.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
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
    const problems: Problem[] = [];
    const supportsStarted = performance.now();
    if (request.supports) await matcher.loadSupports(request.supports);
    if (request.support) {
      const folder = await readSupportFolder(request.support);
      problems.push(...folder.problems);
      for (const { label, images } of folder.classes) {
        try {
          matcher.add(
            label,
            images.map((f) => f.image),
          );
        } catch (error) {
          problems.push({ path: `${request.support}/${label}`, message: (error as Error).message });
        }
      }
    }
    const supportSeconds = (performance.now() - supportsStarted) / 1000;
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
    let results: JsonOutput['results'] = [];
    let querySeconds = 0;
    if (request.query) {
      const { queries, problems: queryProblems } = await readQueries(request.query);
      problems.push(...queryProblems);
      const started = performance.now();
      const matched =
        queries.length > 0
          ? matcher.matchAll(
              queries.map((q) => q.image),
              { k: request.k },
            )
          : [];
      querySeconds = (performance.now() - started) / 1000;
      results = matched.map((result, i) => ({ query: queries[i]!.name, path: queries[i]!.path, ...result }));
    }
    if (request.json) {
      const output: JsonOutput = {
        run: matcher.model.run,
        threshold: matcher.threshold,
        supports: matcher.labels,
        results,
        problems,
        seconds: { supports: supportSeconds, queries: querySeconds },
      };
      io.stdout(JSON.stringify(output, null, 1));
    } else if (request.query) {
      io.stdout(
        formatTable(
          results.map((r) => ({ query: r.query, result: r })),
          matcher.threshold,
        ),
      );
      io.stderr(
        `match: ${matcher.labels.length} classes (${matcher.labels.map((l) => `${l.label}×${l.supports}`).join(', ')}), ` +
          `${results.length} ${results.length === 1 ? 'query' : 'queries'} matched in ${querySeconds.toFixed(2)} s`,
      );
    }
    report(problems, io);
    return problems.length > 0 ? 1 : 0;
  } finally {
    matcher.dispose();
  }
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
