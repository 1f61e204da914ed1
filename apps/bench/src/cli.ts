import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from '@twinnet/core';
import { UsageError } from '@twinnet/core/node';
import { abExitCode, abReport } from './ab/report.ts';
import { type AbResult, compareWithRef } from './ab/run.ts';
import { PrepareError } from './ab/worktree.ts';
import { type BenchArgs, parseBenchArgs, USAGE } from './args.ts';
import { runBench } from './bench.ts';
import { compareResults, comparisonFailed } from './compare.ts';
import { benchProtocol } from './protocol.ts';
import { readResult, recordResult } from './records.ts';
import { comparisonReport, markdownReport, terminalReport } from './report.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/**
 * Exit codes: 0 done (no regression), 1 regression found or the run failed, 2 bad arguments, unreadable input or
 * a REF that cannot be prepared, 3 (--compare REF) no regression but a figure inconclusive.
 */
export async function main(argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`bench: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  if (args.compareRef !== null) return compareRef(args, args.compareRef, out, err);
  let base: BenchResult | null = null;
  let current: BenchResult | null = null;
  try {
    // Read the baseline first, so a typo fails before ten minutes of measuring.
    if (args.compare) base = await readResult(args.compare);
    if (args.current) current = await readResult(args.current);
  } catch (error) {
    err(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (!current) {
    current = await runBench({
      protocol: benchProtocol(args.quick),
      backend: args.backend,
      python: args.python,
      peerTtaThreads: args.peerTtaThreads,
      artifactsDir: args.artifacts ?? `${REPO_ROOT}/artifacts`,
      repoRoot: REPO_ROOT,
      log: (line) => err(`[bench] ${line}`),
    });
    const path = await recordResult(current, args.out ?? `${REPO_ROOT}/bench`);
    out(`${terminalReport(current)}\n\n${markdownReport(current)}\n\nresult: ${path}`);
  }
  if (!base || !args.compare) return 0;
  const checks = compareResults(base, current);
  out(`\n${comparisonReport(checks, args.compare)}`);
  return comparisonFailed(checks) ? 1 : 0;
}

async function compareRef(
  args: BenchArgs,
  ref: string,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let result: AbResult;
  try {
    result = await compareWithRef({
      ref,
      quick: args.quick,
      backend: args.backend,
      rounds: args.rounds,
      maxSeconds: args.maxSeconds,
      threshold: args.threshold,
      repoRoot: REPO_ROOT,
      log: (line) => err(`[bench] ${line}`),
    });
  } catch (error) {
    if (!(error instanceof PrepareError)) throw error;
    err(`bench: ${error.message}`);
    return 2;
  }
  const dir = join(args.out ?? `${REPO_ROOT}/bench`, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(
    dir,
    `compare-${result.createdAt.slice(0, 10)}-${result.old.commit.slice(0, 7)}-${result.new.commit.slice(0, 7)}.json`,
  );
  await writeFile(file, `${JSON.stringify(result, null, 1)}\n`);
  out(`${abReport(result)}\nresult: ${file}`);
  return abExitCode(result);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
