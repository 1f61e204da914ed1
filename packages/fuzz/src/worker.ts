// The harness's worker: loads a spec module, generates its inputs with fast-check from a fixed seed, runs each
// and counts results, refusals and crashes. Before each case it writes the case's number into shared memory,
// so the main thread can tell a hang and stop this thread there.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import type { FuzzReport, FuzzSpec, WorkerReply } from './spec.ts';

interface Job {
  specUrl: string;
  seed: number;
  cases: number;
  /** [case number being run (1-based), 0 while generating] */
  beat: SharedArrayBuffer;
}

const MAX_CRASHES_KEPT = 20;

async function main(job: Job): Promise<FuzzReport> {
  const spec = (await import(job.specUrl)).default as FuzzSpec<unknown>;
  const beat = new Int32Array(job.beat);
  const started = performance.now();
  const report: FuzzReport = {
    kind: spec.kind,
    seed: job.seed,
    cases: 0,
    results: 0,
    refusals: 0,
    crashCount: 0,
    crashes: [],
    seconds: 0,
  };
  const describe = spec.describe ?? ((input: unknown) => String(input).slice(0, 120));
  // The property never fails: every outcome is counted, so a long run reports all its crashes, not the first.
  const property = fc.asyncProperty(spec.arbitrary, async (input) => {
    const index = report.cases++;
    Atomics.store(beat, 0, index + 1);
    try {
      await spec.run(input);
      report.results++;
    } catch (error) {
      if (spec.isRefusal(error)) report.refusals++;
      else if (report.crashCount++ < MAX_CRASHES_KEPT)
        report.crashes.push({ path: String(index), error: describeError(error), input: describe(input) });
    }
    Atomics.store(beat, 0, 0);
  });
  await fc.check(property, { seed: job.seed, numRuns: job.cases, endOnFailure: true });
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error);
}

const port = parentPort!;
main(workerData as Job).then(
  (report) => port.postMessage({ type: 'done', report } satisfies WorkerReply),
  (error: unknown) =>
    port.postMessage({ type: 'error', message: describeError(error) } satisfies WorkerReply),
);
