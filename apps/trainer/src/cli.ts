import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@twinnet/core';
import { type CliRequest, parseCli, USAGE, UsageError } from './cli-args.ts';
import { runPool } from './pool.ts';
import { describeBackend, type RunContext, type RunOutcome, trainRun } from './run.ts';

/** <repo>/artifacts, wherever the command is started from. */
export const DEFAULT_OUT = fileURLToPath(new URL('../../../artifacts', import.meta.url));

export async function main(argv: readonly string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`trainer: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (request.help) {
    console.log(USAGE);
    return 0;
  }
  const backends = new Set(request.configs.map((c) => c.backend));
  if (backends.size > 1) throw new Error('all runs of one invocation must use the same --backend');
  // The cores shared out among the runs trained at once: a single run gets them all (its GEMMs use them).
  const threadsPerRun = Math.max(1, Math.floor(availableParallelism() / request.jobs));
  const backend = await initBackend(request.configs[0]!.backend, { nativeThreads: threadsPerRun });
  if (backend.name === 'cpu')
    console.error('trainer: warning: the cpu backend trains about 100× slower than wasm');

  const outDir = request.outDir ?? DEFAULT_OUT;
  let interrupted = false;
  const stopHandlers: (() => void)[] = [];
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(
      '\ntrainer: stopping after this step and saving a checkpoint (Ctrl-C again to quit at once)',
    );
    for (const stop of stopHandlers) stop();
  });
  const started = performance.now();
  let outcomes: RunOutcome[];
  if (request.jobs > 1) {
    console.log(
      `trainer: ${request.configs.length} runs, ${request.jobs} at a time (${threadsPerRun} thread${threadsPerRun === 1 ? '' : 's'} each)`,
    );
    outcomes = await runPool(request.configs, {
      jobs: request.jobs,
      threadsPerRun,
      outDir,
      resume: request.resume,
      log: (line) => console.log(line),
      onInterrupt: (stop) => stopHandlers.push(stop),
    });
  } else {
    const ctx: RunContext = {
      outDir,
      resume: request.resume,
      backend,
      log: (line) => console.log(line),
      interrupted: () => interrupted,
      datasets: new Map(),
    };
    outcomes = [];
    for (const config of request.configs) {
      const outcome = await trainRun(config, ctx);
      outcomes.push(outcome);
      if (outcome.status === 'interrupted') break;
    }
  }
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  const summary = outcomes
    .flatMap((o) => (o.status === 'done' ? [o.metrics] : []))
    .map(
      (m) =>
        `${m.run.padEnd(34)} ${(100 * m.test.accuracy).toFixed(2).padStart(6)}%  loss ${m.test.loss.toFixed(4)}  AUC ${m.test.auc.toFixed(4)}  ${m.wallSeconds.toFixed(0).padStart(5)} s`,
    );
  console.log(
    `\nrun                                  test acc   loss         AUC          wall\n${summary.join('\n')}`,
  );
  console.log(
    `total ${((performance.now() - started) / 1000).toFixed(0)} s on ${describeBackend(backend)}; artifacts in ${outDir}`,
  );
  return 0;
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
