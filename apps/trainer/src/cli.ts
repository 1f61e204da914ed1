import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BackendInfo, describeBackend, type Metrics } from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { type CliRequest, parseCli, USAGE, UsageError } from './cli-args.ts';
import { type ClaimedOutput, claimOutput, OutputError } from './output-folder.ts';
import { runPool } from './pool.ts';
import { gitProvenance } from './provenance.ts';
import { type RunContext, type RunOutcome, trainRun } from './run.ts';
import { RunLockedError } from './run-lock.ts';

/** <repo>/artifacts, wherever the command is started from. */
export const DEFAULT_OUT = fileURLToPath(new URL('../../../artifacts', import.meta.url));

export async function main(argv: readonly string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`trainer: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (request.help) {
    console.log(USAGE);
    return 0;
  }
  let output: ClaimedOutput;
  try {
    output = await claimOutput(
      request.outDir ?? DEFAULT_OUT,
      request.recipes.map((r) => r.run),
      (line) => console.error(`trainer: ${line}`),
    );
  } catch (error) {
    if (!(error instanceof OutputError || error instanceof RunLockedError)) throw error;
    console.error(`trainer: ${error.message}`);
    return 1;
  }
  try {
    return await trainAll(request);
  } finally {
    await output.release();
  }
}

/** Every requested run, then the summary; 130 when interrupted. */
async function trainAll(request: CliRequest): Promise<number> {
  // The cores shared out among the runs trained at once: a single run gets them all (its GEMMs use them).
  const threadsPerRun = Math.max(1, Math.floor(availableParallelism() / request.jobs));
  const backend = await initBackend(request.backend, { nativeThreads: threadsPerRun });
  if (backend.name === 'cpu')
    console.error('trainer: warning: the cpu backend trains about 100× slower than wasm');
  const started = performance.now();
  const stop = onStopSignals();
  const outcomes = await train(request, backend, threadsPerRun, stop);
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  printSummary(
    outcomes.flatMap((o) => (o.status === 'done' ? [o.metrics] : [])),
    `total ${((performance.now() - started) / 1000).toFixed(0)} s on ${describeBackend(backend)}; artifacts in ${request.outDir ?? DEFAULT_OUT}`,
  );
  return 0;
}

/**
 * SIGINT (Ctrl-C) and SIGTERM abort the signal: every run finishes its step, saves a mid-epoch checkpoint and
 * returns; a second signal exits at once. Under pnpm and turbo the signal comes from supervise.mjs (see there).
 */
function onStopSignals(): AbortController {
  const stop = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    console.error(
      `\ntrainer: ${signal}: stopping after this step and saving a checkpoint (again to quit at once)`,
    );
    stop.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  // Run by supervise.mjs: its channel closes when it dies (a task runner's SIGKILL), which is a stop as well.
  process.on('disconnect', () => {
    if (!stop.signal.aborted) handler('SIGTERM');
  });
  // With the supervisor gone, output may meet a closed pipe: the checkpoint matters more than the log line.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  return stop;
}

async function train(
  request: CliRequest,
  backend: BackendInfo,
  threadsPerRun: number,
  stop: AbortController,
): Promise<RunOutcome[]> {
  const outDir = request.outDir ?? DEFAULT_OUT;
  const provenance = gitProvenance();
  const log = (line: string) => console.log(line);
  if (request.jobs > 1) {
    const each = `${threadsPerRun} thread${threadsPerRun === 1 ? '' : 's'} each`;
    const total = threadsPerRun * request.jobs;
    const last =
      total > threadsPerRun ? `; once none is left to start, the runs still going share all ${total}` : '';
    console.log(`trainer: ${request.recipes.length} runs, ${request.jobs} at a time (${each}${last})`);
    return runPool(request.recipes, {
      jobs: request.jobs,
      threadsPerRun,
      outDir,
      resume: request.resume,
      backend: request.backend,
      provenance,
      log,
      onInterrupt: (halt) => stop.signal.addEventListener('abort', halt),
    });
  }
  const ctx: RunContext = {
    outDir,
    resume: request.resume,
    backend,
    log,
    signal: stop.signal,
    datasets: new Map(),
    provenance,
  };
  const outcomes: RunOutcome[] = [];
  for (const recipe of request.recipes) {
    const outcome = await trainRun(recipe, ctx);
    outcomes.push(outcome);
    if (outcome.status === 'interrupted') break;
  }
  return outcomes;
}

function printSummary(metrics: Metrics[], total: string): void {
  const shots = (results: { accuracy: number }[] | undefined) =>
    (results ?? []).map((r) => `${(100 * r.accuracy).toFixed(1)}%`).join(' / ') || '-';
  const unseen = (m: Metrics) =>
    m.oneShot?.unseen.length
      ? `${shots(m.oneShot.unseen)} (pixels ${shots(m.oneShot.unseenRawPixels)})`
      : '-';
  const rows = metrics.map(
    (m) =>
      `${m.run.padEnd(34)} ${(100 * m.test.accuracy).toFixed(2).padStart(6)}%  loss ${m.test.loss.toFixed(4)}  ` +
      `AUC ${m.test.auc.toFixed(4)}  unseen 1/5-shot ${unseen(m).padEnd(34)} ${m.wallSeconds.toFixed(0).padStart(5)} s` +
      (m.chance?.atChance ? '  AT CHANCE: see its warning above' : ''),
  );
  console.log(
    `\nrun                                  test acc   loss         AUC          unseen             wall\n${rows.join('\n')}`,
  );
  console.log(total);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`trainer: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
