/**
 * twinnet's side of the bench, in child processes: each job's peak resident memory is then the process's own
 * (process.resourceUsage().maxRSS), and tfjs state never leaks between jobs.
 *   worker.ts --serve            throughput, one timed round per IPC request (alternated with the peer's, or
 *                                under --compare REF with REF's own worker, started from its worktree)
 *   worker.ts JOB_JSON OUT_FILE  a short run or time to accuracy
 */
import { writeFile } from 'node:fs/promises';
import {
  type BackendInfo,
  type BackendName,
  type BenchProtocol,
  VARIANTS,
  type Variant,
} from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { calibrationRound } from './calibration.ts';
import { type BenchData, loadBenchData } from './data.ts';
import { ClassifierSession } from './ours/classifier.ts';
import { type ShortRunRaw, shortRun } from './ours/short-run.ts';
import { ThroughputSession } from './ours/throughput.ts';
import { type TtaRaw, timeToAccuracy } from './ours/tta.ts';
import type { Seconds } from './timing.ts';
import { CLASSIFIER, WORKLOADS, type Workload } from './workloads.ts';

export type WorkerJob =
  | { kind: 'short-run'; variants: Variant[]; backend: BackendName; protocol: BenchProtocol }
  | { kind: 'tta'; backend: BackendName; protocol: BenchProtocol };

export interface WorkerOutput {
  backend: BackendInfo;
  peakRssMiB: number;
  shortRuns: ShortRunRaw[];
  tta: TtaRaw | null;
}

export type ServeRequest =
  /** calibrate false skips the calibration rounds (--compare REF has no use for them; older workers ignore it). */
  | { op: 'init'; backend: BackendName; protocol: BenchProtocol; calibrate?: boolean }
  /** The classifier workload takes its batch from the protocol (batchSize is ignored). */
  | { op: 'setup'; variant: Workload; batchSize: number }
  | { op: 'train' | 'embed'; variant: Workload }
  /** Variants only: the classifier workload has no pair model. */
  | { op: 'latency'; variant: Workload }
  | { op: 'finish' };

export interface ServeReplies {
  /**
   * `workloads`: what this worker can set up. Workers from before the classifier workload leave it out, and serve
   * the variants only.
   */
  init: { backend: BackendInfo; workloads?: Workload[] };
  setup: { towerParameters: number; units: { train: number; embed: number } };
  /** A calibration round runs right after each timed round, in this process, unless init turned it off. */
  train: { seconds: Seconds; calibration: Seconds | null };
  embed: { seconds: Seconds; calibration: Seconds | null };
  latency: { latencyMs: number[] };
  finish: { peakRssMiB: number };
}

// maxRSS is in KiB.
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

async function runJob(job: WorkerJob): Promise<WorkerOutput> {
  const backend = await initBackend(job.backend, { log: () => {} });
  const data = await loadBenchData(job.protocol.seed);
  const output: WorkerOutput = { backend, peakRssMiB: 0, shortRuns: [], tta: null };
  if (job.kind === 'short-run') {
    for (const variant of job.variants) {
      console.error(`[twinnet] short run ${variant}: ${job.protocol.shortRun.pairs[variant]} pairs`);
      output.shortRuns.push(await shortRun(data, variant, job.protocol));
    }
  } else {
    output.tta = await timeToAccuracy(data, job.protocol);
  }
  output.peakRssMiB = peakRssMiB();
  return output;
}

/** Answers throughput requests from the parent over IPC until 'finish'. */
function serve(): void {
  let data: BenchData | undefined;
  let protocol: BenchProtocol | undefined;
  let calibrate = true;
  const sessions = new Map<Workload, ThroughputSession | ClassifierSession>();
  const session = (variant: Workload) => {
    const found = sessions.get(variant);
    if (!found) throw new Error(`no session for ${variant}; send setup first`);
    return found;
  };
  const handle = async (request: ServeRequest): Promise<unknown> => {
    switch (request.op) {
      case 'init': {
        const backend = await initBackend(request.backend, { log: () => {} });
        protocol = request.protocol;
        calibrate = request.calibrate ?? true;
        data = await loadBenchData(protocol.seed);
        // Lets the JIT optimise the calibration before its first timed round.
        if (calibrate) for (let r = 0; r < 5; r++) calibrationRound();
        return { backend, workloads: protocol.classifier ? [...WORKLOADS] : [...VARIANTS] };
      }
      case 'setup': {
        if (!data || !protocol) throw new Error('send init first');
        for (const old of sessions.values()) old.dispose();
        sessions.clear();
        const created =
          request.variant === CLASSIFIER
            ? new ClassifierSession(data, protocol)
            : new ThroughputSession(data, request.variant, protocol, request.batchSize);
        sessions.set(request.variant, created);
        return { towerParameters: created.towerParameters, units: created.units };
      }
      case 'train':
      case 'embed': {
        const s = session(request.variant);
        const seconds = request.op === 'train' ? s.trainRound() : s.embedRound();
        return { seconds, calibration: calibrate ? calibrationRound() : null };
      }
      case 'latency': {
        const s = session(request.variant);
        if (!(s instanceof ThroughputSession))
          throw new Error(`${request.variant} has no single-pair latency`);
        return { latencyMs: s.latency() };
      }
      case 'finish':
        return { peakRssMiB: peakRssMiB() };
    }
  };
  process.on('message', (message: { id: number; request: ServeRequest }) => {
    handle(message.request).then(
      (reply) => process.send?.({ id: message.id, reply }),
      (error: unknown) => process.send?.({ id: message.id, error: (error as Error).stack ?? String(error) }),
    );
  });
}

const args = process.argv.slice(2);
if (args[0] === '--serve') {
  serve();
} else {
  const [jobJson, outFile] = args;
  if (!jobJson || !outFile) {
    console.error('usage: worker.ts --serve | worker.ts JOB_JSON OUT_FILE');
    process.exit(2);
  }
  runJob(JSON.parse(jobJson) as WorkerJob).then(
    async (output) => {
      await writeFile(outFile, JSON.stringify(output));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(
        `[twinnet] worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      process.exit(1);
    },
  );
}
