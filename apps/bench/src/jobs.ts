import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerOutput } from './worker.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Runs one job of ours in a child process. The child gets this process's Node flags, which carry tsx's loader
 * when the bench runs under tsx (as `pnpm bench` does).
 */
export async function runWorker(job: WorkerJob): Promise<WorkerOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-bench-job-'));
  const out = join(dir, 'out.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, WORKER, JSON.stringify(job), out], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (status, signal) => resolve(signal ? null : status));
    });
    if (code !== 0)
      throw new Error(`twinnet ${job.kind} job failed (exit ${code ?? 'by signal'}); see above`);
    return JSON.parse(await readFile(out, 'utf8')) as WorkerOutput;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
