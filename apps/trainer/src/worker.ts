// One training run in a worker thread: its own tfjs engine and wasm instance, so two runs use two cores.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName, TrainRecipe } from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { type RunContext, trainRun } from './run.ts';

export interface WorkerJob {
  recipe: TrainRecipe;
  backend: BackendName;
  provenance: RunContext['provenance'];
  outDir: string;
  resume: boolean;
  /** Threads of the native kernels' GEMMs in this run. */
  threads: number;
}

export type WorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'result'; outcome: Awaited<ReturnType<typeof trainRun>> }
  | { type: 'error'; message: string };

const job = workerData as WorkerJob;
const port = parentPort!;
const stop = new AbortController();
port.on('message', (message: { type: string }) => {
  if (message.type === 'interrupt') stop.abort();
});

try {
  const backend = await initBackend(job.backend, { log: () => {}, nativeThreads: job.threads });
  const outcome = await trainRun(job.recipe, {
    outDir: job.outDir,
    resume: job.resume,
    backend,
    log: (line) => port.postMessage({ type: 'log', line } satisfies WorkerMessage),
    signal: stop.signal,
    datasets: new Map(),
    provenance: job.provenance,
  });
  port.postMessage({ type: 'result', outcome } satisfies WorkerMessage);
} catch (error) {
  port.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies WorkerMessage);
}
port.close();
