// Runs a fuzz spec in a worker thread, within a time bound per case and a memory bound for the thread: a case
// that runs longer than `caseSeconds` is a hang (the worker is stopped there and the case named), and a worker
// that exceeds its heap ends with an error naming it. Neither bound is a claim about speed: both only catch
// inputs that never finish or that grow without limit.
import { Worker } from 'node:worker_threads';
import type { FuzzReport, WorkerReply } from './spec.ts';

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** A case running longer than this is reported as a hang. */
  caseSeconds?: number;
  /** The worker's V8 heap limit. */
  heapMb?: number;
}

const WORKER = new URL('./worker-entry.mjs', import.meta.url);

export function runFuzz(specUrl: URL | string, options: FuzzOptions): Promise<FuzzReport> {
  const { seed, cases, caseSeconds = 10, heapMb = 512 } = options;
  const beat = new SharedArrayBuffer(4);
  const current = new Int32Array(beat);
  const worker = new Worker(WORKER, {
    workerData: { specUrl: String(specUrl), seed, cases, beat },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  const started = performance.now();
  return new Promise((resolve) => {
    let watched = 0;
    let since = performance.now();
    const failed = (fields: Partial<FuzzReport>): FuzzReport => ({
      kind: String(specUrl),
      seed,
      cases: Atomics.load(current, 0),
      results: 0,
      refusals: 0,
      crashCount: 0,
      crashes: [],
      seconds: (performance.now() - started) / 1000,
      ...fields,
    });
    const timer = setInterval(() => {
      const now = Atomics.load(current, 0);
      if (now !== watched) {
        watched = now;
        since = performance.now();
      } else if (now !== 0 && performance.now() - since > caseSeconds * 1000) {
        clearInterval(timer);
        void worker.terminate();
        resolve(failed({ hang: { path: String(now - 1), seconds: caseSeconds } }));
      }
    }, 50);
    worker.on('message', (reply: WorkerReply) => {
      clearInterval(timer);
      if (reply.type === 'done') resolve(reply.report);
      else resolve(failed({ workerError: reply.message }));
      void worker.terminate();
    });
    worker.on('error', (error) => {
      clearInterval(timer);
      resolve(
        failed({ workerError: `${error.name}: ${error.message} (at case ${Atomics.load(current, 0) - 1})` }),
      );
    });
    worker.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) resolve(failed({ workerError: `the worker exited with code ${code}` }));
    });
  });
}

/** One line per report: counts, and what went wrong. */
export function describeReport(report: FuzzReport): string {
  const bad = report.hang
    ? `; HANG at case ${report.hang.path} (over ${report.hang.seconds} s)`
    : report.workerError
      ? `; WORKER FAILED: ${report.workerError}`
      : '';
  const crashes = report.crashes.map((c) => `\n  crash at path ${c.path}: ${c.error} [${c.input}]`).join('');
  return (
    `${report.kind}: ${report.cases} cases (seed ${report.seed}): ${report.results} results, ${report.refusals} ` +
    `refusals, ${report.crashCount} crashes${bad}, ${report.seconds.toFixed(1)} s${crashes}`
  );
}
