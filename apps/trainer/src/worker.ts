// One training run in a worker thread: its own tfjs engine and wasm instance, so two runs use two cores.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '@twinnet/core';
import type { TrainConfig } from './presets.ts';
import { trainRun } from './run.ts';

export interface WorkerJob {
  config: TrainConfig;
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
let interrupted = false;
port.on('message', (message: { type: string }) => {
  if (message.type === 'interrupt') interrupted = true;
});

try {
  const backend = await initBackend(job.config.backend, { log: () => {}, nativeThreads: job.threads });
  const outcome = await trainRun(job.config, {
    outDir: job.outDir,
    resume: job.resume,
    backend,
    log: (line) => port.postMessage({ type: 'log', line } satisfies WorkerMessage),
    interrupted: () => interrupted,
    datasets: new Map(),
  });
  port.postMessage({ type: 'result', outcome } satisfies WorkerMessage);
} catch (error) {
  port.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies WorkerMessage);
}
port.close();
