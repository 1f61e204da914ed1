import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServeReplies, ServeRequest, WorkerJob, WorkerOutput } from './worker.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Which worker script runs, and from where: this tree's by default; --compare REF runs REF's own worker from its
 * worktree, so REF's bench code and packages measure REF.
 */
export interface WorkerScript {
  path: string;
  /** The child's working directory (tsx reads the tsconfig there). */
  cwd?: string;
}

export const THIS_WORKER: WorkerScript = { path: WORKER };

/**
 * Runs one job of ours in a child process. The child gets this process's Node flags, which carry tsx's loader
 * when the bench runs under tsx (as `pnpm bench` does).
 */
export async function runWorker(job: WorkerJob, script: WorkerScript = THIS_WORKER): Promise<WorkerOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-bench-job-'));
  const out = join(dir, 'out.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, script.path, JSON.stringify(job), out], {
        cwd: script.cwd,
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

/** Our throughput worker, answering one request at a time over IPC (see worker.ts --serve). */
export class WorkerSession {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  constructor(script: WorkerScript = THIS_WORKER) {
    this.child = fork(script.path, ['--serve'], {
      cwd: script.cwd,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: { id: number; reply?: unknown; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(`twinnet worker: ${message.error}`));
      else waiting?.resolve(message.reply);
    });
    this.child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`twinnet worker exited (${code})`));
      this.pending.clear();
    });
  }

  request<R extends ServeRequest>(request: R): Promise<ServeReplies[R['op']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.child.send({ id, request });
    });
  }

  /** Ends the worker after its last reply ('finish'). */
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
