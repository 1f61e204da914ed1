import { fileURLToPath } from 'node:url';
import type { BenchResult } from '@twinnet/core';
import { UsageError } from '@twinnet/core/node';
import { parseBenchArgs, USAGE } from './args.ts';
import { runBench } from './bench.ts';
import { compareResults, comparisonFailed } from './compare.ts';
import { benchProtocol } from './protocol.ts';
import { readResult, recordResult } from './records.ts';
import { comparisonReport, markdownReport, terminalReport } from './report.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/** Exit codes: 0 done (no regression), 1 regression found or the run failed, 2 bad arguments or unreadable input. */
export async function main(argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>;
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
