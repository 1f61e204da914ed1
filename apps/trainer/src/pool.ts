import { Worker } from 'node:worker_threads';
import { type TrainConfig, trainingCost } from './presets.ts';
import type { RunOutcome } from './run.ts';
import type { WorkerJob, WorkerMessage } from './worker.ts';

export interface PoolOptions {
  jobs: number;
  /** Threads each run's native kernels may use (the cores shared out among the lanes); default 1. */
  threadsPerRun?: number;
  outDir: string;
  resume: boolean;
  log: (line: string) => void;
  /** Registers a callback the pool calls to stop: it asks every running worker to checkpoint and return. */
  onInterrupt: (stop: () => void) => void;
}

/**
 * Runs configs `jobs` at a time, each in its own worker thread. wasm computes on one thread and the native
 * kernels' GEMMs gain little from a second (1.2× on the deep tower), so independent runs in parallel are the
 * simplest way to use every core. The costliest runs start first, so no lane is left with a long run at the end
 * while the other idles. Results come back in config order.
 */
export async function runPool(configs: TrainConfig[], options: PoolOptions): Promise<RunOutcome[]> {
  const outcomes = new Array<RunOutcome>(configs.length);
  const running = new Set<Worker>();
  const order = dispatchOrder(configs);
  let next = 0;
  let stopping = false;
  options.onInterrupt(() => {
    stopping = true;
    for (const worker of running) worker.postMessage({ type: 'interrupt' });
  });
  const start = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const job: WorkerJob = {
        config: configs[index]!,
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
        else reject(new Error(`${configs[index]!.run}: the training worker exited without a result`));
      });
    });
  const lane = async (): Promise<void> => {
    while (next < configs.length && !stopping) {
      const index = order[next++]!;
      await start(index);
      if (outcomes[index]?.status === 'interrupted') stopping = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, configs.length) }, lane));
  return outcomes.filter((o): o is RunOutcome => o !== undefined);
}

/** Config indices, costliest first (longest-processing-time first; ties keep config order). */
export function dispatchOrder(configs: readonly TrainConfig[]): number[] {
  return configs
    .map((_, i) => i)
    .sort((a, b) => trainingCost(configs[b]!) - trainingCost(configs[a]!) || a - b);
}
