import { Worker } from 'node:worker_threads';
import { type BackendName, type TrainRecipe, trainingCost } from '@twinnet/core';
import type { RunContext, RunOutcome } from './run.ts';
import type { PoolMessage, WorkerJob, WorkerMessage } from './worker.ts';

export interface PoolOptions {
  jobs: number;
  /** Threads each run's native kernels may use (the cores shared out among the lanes); default 1. */
  threadsPerRun?: number;
  outDir: string;
  resume: boolean;
  backend: BackendName;
  provenance: RunContext['provenance'];
  log: (line: string) => void;
  /** Registers a callback the pool calls to stop: it asks every running worker to checkpoint and return. */
  onInterrupt: (stop: () => void) => void;
}

/**
 * Runs recipes `jobs` at a time, each in its own worker thread. wasm computes on one thread and the native
 * kernels' GEMMs gain little from a second (1.2× on the deep tower), so independent runs in parallel are the
 * simplest way to use every core. The costliest runs start first, so no lane is left with a long run at the end
 * while the other idles; and once no run is left to start, the cores of the lanes that have finished go to the
 * runs still going (the native kernels' results do not depend on their thread count). Results come back in
 * recipe order.
 */
export async function runPool(recipes: TrainRecipe[], options: PoolOptions): Promise<RunOutcome[]> {
  const outcomes = new Array<RunOutcome>(recipes.length);
  const running = new Set<Worker>();
  const send = (worker: Worker, message: PoolMessage) => worker.postMessage(message);
  const totalThreads = options.jobs * (options.threadsPerRun ?? 1);
  const order = dispatchOrder(recipes);
  let next = 0;
  let stopping = false;
  options.onInterrupt(() => {
    stopping = true;
    for (const worker of running) send(worker, { type: 'interrupt' });
  });
  const start = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const job: WorkerJob = {
        recipe: recipes[index]!,
        backend: options.backend,
        provenance: options.provenance,
        outDir: options.outDir,
        resume: options.resume,
        threads: options.threadsPerRun ?? 1,
      };
      const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: job });
      running.add(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'log') options.log(message.line);
        else if (message.type === 'result') outcomes[index] = message.outcome;
        else reject(new Error(message.message));
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        running.delete(worker);
        if (outcomes[index]) resolve();
        else reject(new Error(`${recipes[index]!.run}: the training worker exited without a result`));
      });
    });
  const lane = async (): Promise<void> => {
    while (next < recipes.length && !stopping) {
      const index = order[next++]!;
      await start(index);
      if (outcomes[index]?.status === 'interrupted') stopping = true;
    }
    // This lane is done: share every core out among the runs still going.
    const threads = Math.floor(totalThreads / Math.max(1, running.size));
    if (!stopping && running.size > 0 && threads > (options.threadsPerRun ?? 1))
      for (const worker of running) send(worker, { type: 'threads', threads });
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, recipes.length) }, lane));
  return outcomes.filter((o): o is RunOutcome => o !== undefined);
}

/** Recipe indices, costliest first (longest-processing-time first; ties keep config order). */
export function dispatchOrder(recipes: readonly TrainRecipe[]): number[] {
  return recipes
    .map((_, i) => i)
    .sort((a, b) => trainingCost(recipes[b]!) - trainingCost(recipes[a]!) || a - b);
}
