// One training run in a worker thread: its own tfjs engine and wasm instance, so two runs use two cores.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName, TrainRecipe } from '@twinnet/core';
import { initBackend, setNativeThreads } from '@twinnet/core/node';
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
/** What the pool says to a running worker: stop after this step, or take this many threads from now on. */
export type PoolMessage = { type: 'interrupt' } | { type: 'threads'; threads: number };

port.on('message', (message: PoolMessage) => {
  if (message.type === 'interrupt') stop.abort();
  else if (setNativeThreads(message.threads))
    port.postMessage({
      type: 'log',
      line: `${job.recipe.run}: no other run left to start; its native kernels now use ${message.threads} threads`,
    } satisfies WorkerMessage);
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
