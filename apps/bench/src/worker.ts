/**
 * One measurement job of twinnet's side, in its own process: the job's peak resident memory is then the
 * process's own (process.resourceUsage().maxRSS), and tfjs state never leaks between jobs.
 * Usage (by jobs.ts): node [tsx loader] worker.ts JOB_JSON OUT_FILE
 */
import { writeFile } from 'node:fs/promises';
import { type BackendInfo, type BackendName, type BenchProtocol, initBackend } from '@twinnet/core';
import type { Variant } from 'trainer/presets';
import { calibrate } from './calibration.ts';
import { loadBenchData } from './data.ts';
import { type ShortRunRaw, shortRun } from './ours/short-run.ts';
import { measureThroughput, type ThroughputRaw } from './ours/throughput.ts';
import { type TtaRaw, timeToAccuracy } from './ours/tta.ts';
import type { Seconds } from './timing.ts';

export type WorkerJob =
  | { kind: 'throughput'; variants: Variant[]; backend: BackendName; protocol: BenchProtocol }
  | { kind: 'short-run'; variants: Variant[]; backend: BackendName; protocol: BenchProtocol }
  | { kind: 'tta'; backend: BackendName; protocol: BenchProtocol };

export interface WorkerOutput {
  backend: BackendInfo;
  peakRssMiB: number;
  /** Calibration rates measured just before and after the job (throughput jobs only). */
  calibration: Seconds[];
  throughput: ThroughputRaw[];
  shortRuns: ShortRunRaw[];
  tta: TtaRaw | null;
}

async function run(job: WorkerJob): Promise<WorkerOutput> {
  const backend = await initBackend(job.backend, { log: () => {} });
  const data = await loadBenchData(job.protocol.seed);
  const output: WorkerOutput = {
    backend,
    peakRssMiB: 0,
    calibration: [],
    throughput: [],
    shortRuns: [],
    tta: null,
  };
  if (job.kind === 'throughput') {
    output.calibration.push(calibrate());
    for (const variant of job.variants) {
      console.error(`[twinnet] throughput ${variant}`);
      output.throughput.push(measureThroughput(data, variant, job.protocol));
    }
    output.calibration.push(calibrate());
  } else if (job.kind === 'short-run') {
    for (const variant of job.variants) {
      console.error(`[twinnet] short run ${variant}: ${job.protocol.shortRun.pairs[variant]} pairs`);
      output.shortRuns.push(await shortRun(data, variant, job.protocol));
    }
  } else {
    output.tta = await timeToAccuracy(data, job.protocol);
  }
  // maxRSS is in KiB.
  output.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  return output;
}

const [jobJson, outFile] = process.argv.slice(2);
if (!jobJson || !outFile) {
  console.error('usage: worker.ts JOB_JSON OUT_FILE');
  process.exit(2);
}
run(JSON.parse(jobJson) as WorkerJob).then(
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
