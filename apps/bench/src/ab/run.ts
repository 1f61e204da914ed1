import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendName, type BenchProtocol, describeBackend } from '@twinnet/core';
import type { Check } from '../compare.ts';
import { THIS_WORKER, type WorkerScript } from '../jobs.ts';
import { gitState, loadAverage, machine } from '../system.ts';
import { WORKLOADS } from '../workloads.ts';
import { compareShortRuns } from './accuracy.ts';
import { measureInCycles } from './cycles.ts';
import { analyse, type FigureOutcome, type Units } from './figures.ts';
import { abPlan } from './protocol.ts';
import type { AbRounds } from './rounds.ts';
import type { StartedSide } from './sessions.ts';

type SideSetup = Omit<StartedSide, 'side' | 'close'>;

import { defaultCacheDir, PrepareError, prepareRef } from './worktree.ts';

export interface CompareRefOptions {
  ref: string;
  quick: boolean;
  backend: BackendName;
  /** Kept rounds before a verdict; null: the plan's default. */
  rounds: number | null;
  /** Measuring seconds allowed while a figure is inconclusive; null: the plan's default; 0: no extra rounds. */
  maxSeconds: number | null;
  threshold: number;
  repoRoot: string;
  cacheDir?: string;
  log: (line: string) => void;
}

export interface AbSideInfo {
  commit: string;
  dirty: boolean;
  backend: string;
  dir: string;
}

/** Everything one `--compare REF` run measured and decided (written to bench/results/compare-*.json). */
export interface AbResult {
  kind: 'compare-ref';
  createdAt: string;
  wallSeconds: number;
  measureSeconds: number;
  ref: string;
  old: AbSideInfo;
  new: AbSideInfo;
  machine: ReturnType<typeof machine> & { loadAverage: { start: number[]; end: number[] } };
  protocol: BenchProtocol;
  threshold: number;
  units: Units;
  rounds: AbRounds;
  figures: FigureOutcome[];
  accuracy: Check[];
  notes: string[];
}

/**
 * REF against the working tree: REF's worktree prepared (or reused), both sides' workers started, interleaved
 * rounds until every figure is decided or the time allowed is spent, then the short runs' accuracy.
 */
export async function compareWithRef(options: CompareRefOptions): Promise<AbResult> {
  const { log, repoRoot } = options;
  const started = performance.now();
  const createdAt = new Date().toISOString();
  const loadStart = loadAverage();
  // The working tree as the run starts: its workers load its code at each cycle's start.
  const git = gitState(repoRoot);
  const plan = abPlan(options.quick, options.rounds, options.maxSeconds);
  const prepared = await prepareRef({
    repoRoot,
    ref: options.ref,
    cacheDir: options.cacheDir ?? defaultCacheDir(repoRoot),
    log,
  });
  const scripts = { old: refWorker(prepared.dir, options.ref, prepared.sha), new: THIS_WORKER };
  const notes: string[] = [];
  if (prepared.native !== 'built') notes.push(`REF's native kernels: ${prepared.native}`);

  const measured = await measureInCycles({
    scripts,
    plan,
    backend: options.backend,
    threshold: options.threshold,
    log,
    check: (s) => sameSetup(s.old, s.new, notes),
  });
  const { old, new: now } = measured.started;
  const shortRuns = await compareShortRuns(scripts, plan.protocol, options.backend, log);
  notes.push(...shortRuns.notes);
  return {
    kind: 'compare-ref',
    createdAt,
    wallSeconds: (performance.now() - started) / 1000,
    measureSeconds: measured.seconds,
    ref: options.ref,
    old: {
      commit: prepared.sha.slice(0, 12),
      dirty: false,
      backend: describeBackend(old.backend),
      dir: prepared.dir,
    },
    new: { commit: git.commit, dirty: git.dirty, backend: describeBackend(now.backend), dir: repoRoot },
    machine: { ...machine(), loadAverage: { start: loadStart, end: loadAverage() } },
    protocol: plan.protocol,
    threshold: options.threshold,
    units: now.units,
    rounds: measured.rounds,
    figures: analyse(measured.rounds, now.units, options.threshold),
    accuracy: shortRuns.checks,
    notes,
  };
}

/** REF's own bench worker: REF's bench code on REF's packages. Older commits lack one that serves rounds. */
function refWorker(dir: string, ref: string, sha: string): WorkerScript {
  const path = join(dir, 'apps', 'bench', 'src', 'worker.ts');
  if (!existsSync(path) || !readFileSync(path, 'utf8').includes("'--serve'")) {
    throw new PrepareError(
      `${ref} (${sha.slice(0, 12)}) has no bench worker that serves timed rounds (apps/bench/src/worker.ts --serve, ` +
        'added in abe6bdb): compare against a later commit',
    );
  }
  return { path, cwd: join(dir, 'apps', 'bench') };
}

/** Both sides must measure the same work; a different backend or model is worth saying above the verdicts. */
function sameSetup(old: SideSetup, now: SideSetup, notes: string[]): void {
  const [a, b] = [describeBackend(old.backend), describeBackend(now.backend)];
  if (a !== b)
    notes.push(`the sides ran on different backends (REF ${a}, working tree ${b}): ratios show that too`);
  for (const missing of WORKLOADS.filter((w) => !old.workloads.includes(w))) {
    notes.push(
      `REF's bench worker does not measure ${missing} (REF predates it): its figures are skipped, not compared`,
    );
  }
  for (const variant of now.workloads.filter((w) => old.workloads.includes(w))) {
    if (JSON.stringify(old.units[variant]) !== JSON.stringify(now.units[variant])) {
      throw new PrepareError(
        `${variant}: REF's bench worker measures rounds of ${JSON.stringify(old.units[variant])}, the working ` +
          `tree's ${JSON.stringify(now.units[variant])}: REF's bench is too different to compare with; pick a later REF`,
      );
    }
    if (old.towerParameters[variant] !== now.towerParameters[variant]) {
      notes.push(
        `${variant}: the tower has ${now.towerParameters[variant]} trainable parameters, ${old.towerParameters[variant]} at REF`,
      );
    }
  }
}
