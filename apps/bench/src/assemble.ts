import type {
  BackendInfo,
  BenchClassifierThroughput,
  BenchProtocol,
  BenchQuality,
  BenchResult,
  BenchShortRun,
  BenchThroughput,
  Compared,
  TimeToAccuracy,
  TtaRun,
} from '@twinnet/core';
import {
  BENCH_SCHEMA_VERSION,
  describeBackend,
  median,
  percentile,
  preset,
  VARIANTS,
  type Variant,
} from '@twinnet/core';
import { CALIBRATION_UNITS, CALIBRATION_WORKLOAD } from './calibration.ts';
import type { ShortRunMetrics } from './evaluation.ts';
import type { ShortRunRaw } from './ours/short-run.ts';
import type { TtaRaw } from './ours/tta.ts';
import type { PeerProbe } from './peer.ts';
import type { PeerOutput } from './peer-output.ts';
import { classifierRecipe, flatRecipe, shortRunRecipe } from './recipe.ts';
import type { ClassifierRounds, SideRounds, ThroughputRounds } from './rounds.ts';
import { best } from './stats.ts';
import type { Seconds } from './timing.ts';
import type { ArtifactQuality } from './trainer-artifacts.ts';

/** Everything one bench run measured, before it is shaped into a BenchResult. */
export interface RawRun {
  createdAt: Date;
  wallSeconds: number;
  git: { commit: string; dirty: boolean };
  machine: { cpuModel: string; logicalCores: number; totalMemoryMiB: number };
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  versions: Record<string, string>;
  protocol: BenchProtocol;
  backend: BackendInfo;
  ours: {
    throughput: ThroughputRounds[];
    /** The classifier workload's rounds; null when the protocol has none. */
    classifier: ClassifierRounds | null;
    shortRuns: ShortRunRaw[];
    tta: TtaRaw;
    processes: { job: string; peakRssMiB: number }[];
    /** Digest of the pairs the peer is asked to reproduce. */
    pairsDigest: string;
  };
  peer: {
    probe: PeerProbe;
    script: string;
    outputs: { job: string; output: PeerOutput }[];
    /** The peer's short-run metrics, computed by the bench from its scores. */
    shortRuns: Partial<Record<Variant, ShortRunMetrics>>;
    /** Why parts of the peer are missing (failures, skipped thread counts). */
    problems: string[];
  };
  artifacts: Record<Variant, ArtifactQuality>;
  notes: string[];
}

export const MILESTONES = [0.9, 0.95, 0.97];

/** The bench's name for a backend: tfjs-node's 'tensorflow' by its package, wasm with native kernels as 'native'. */
export function benchBackendName(info: BackendInfo): BenchResult['backend']['name'] {
  if (info.name === 'tensorflow') return 'tfjs-node';
  return info.name === 'wasm' && info.native !== undefined ? 'native' : info.name;
}

/** The thread count our backend computes with: the peer figure ratios are taken against. */
export function oursThreads(backend: BackendInfo): number {
  return backend.threads;
}

export function compared(
  ours: number | null,
  peer: { threads: number; value: number }[],
  threads: number,
): Compared {
  const match = peer.find((p) => p.threads === threads);
  return {
    ours,
    peer,
    ratio: ours !== null && match !== undefined && match.value !== 0 ? ours / match.value : null,
  };
}

export function assemble(raw: RawRun): BenchResult {
  const ratioThreads = oursThreads(raw.backend);
  const notes = [...raw.notes, ...raw.peer.problems];
  const calibrationRounds = [
    ...raw.ours.throughput,
    ...(raw.ours.classifier ? [raw.ours.classifier] : []),
  ].flatMap((t) => [...t.ours.trainCalibration, ...t.ours.embedCalibration]);
  const calibration = {
    wall: best(calibrationRounds.map((c) => CALIBRATION_UNITS / c.wall)),
    cpu: best(calibrationRounds.map((c) => CALIBRATION_UNITS / c.cpu)),
  };
  const peerResults = raw.peer.outputs.flatMap(({ output }) =>
    output.results.map((result) => ({ threads: output.threads, result })),
  );
  const peerThreads = [...new Set(raw.peer.outputs.map((o) => o.output.threads))].sort((a, b) => a - b);

  const throughput = raw.ours.throughput.map((rounds) => assembleThroughput(rounds, ratioThreads, notes));
  const classifierThroughput = raw.ours.classifier
    ? [assembleClassifier(raw.ours.classifier, raw.protocol, ratioThreads, notes)]
    : [];

  const shortRun: BenchShortRun[] = raw.ours.shortRuns.map((ours) => {
    const recipe = flatRecipe(shortRunRecipe(ours.variant, raw.protocol));
    const peerRun = peerResults.find(
      ({ result }) => result.kind === 'short-run' && result.variant === ours.variant,
    );
    const peerMetrics = raw.peer.shortRuns[ours.variant];
    const peer = peerRun?.result.kind === 'short-run' ? peerRun : undefined;
    const side = (oursValue: number, peerValue: number | undefined) =>
      compared(
        oursValue,
        peer && peerValue !== undefined ? [{ threads: peer.threads, value: peerValue }] : [],
        ratioThreads,
      );
    const peerLoss = peer?.result.kind === 'short-run' ? peer.result.testLoss : undefined;
    const peerSeconds = peer?.result.kind === 'short-run' ? peer.result.trainSeconds : undefined;
    const identical =
      peer?.result.kind === 'short-run'
        ? peer.result.validationDigest === ours.validationDigest && peer.result.testDigest === ours.testDigest
        : null;
    if (identical === false)
      notes.push(`${ours.variant}: the peer scored different evaluation pairs than ours`);
    return {
      variant: ours.variant,
      pairs: raw.protocol.shortRun.pairs[ours.variant],
      batchSize: recipe.batchSize,
      optimizer: recipe.optimizer,
      learningRate: recipe.learningRate,
      accuracy: side(ours.accuracy, peerMetrics?.accuracy),
      loss: side(ours.testLoss, peerLoss),
      auc: side(ours.auc, peerMetrics?.auc),
      oneShotAccuracy: side(ours.oneShot.accuracy, peerMetrics?.oneShot.accuracy),
      trainSeconds: side(ours.trainSeconds, peerSeconds),
      pairsIdentical: identical,
    };
  });

  const quality: BenchQuality[] = VARIANTS.map((variant) => {
    const fromArtifacts = raw.artifacts[variant];
    if (fromArtifacts.ok) return fromArtifacts.quality;
    const ours = raw.ours.shortRuns.find((r) => r.variant === variant);
    if (!ours) throw new Error(`no artifacts and no short run for ${variant}`);
    notes.push(`${variant} quality: from the bench's short run (${fromArtifacts.reason})`);
    return {
      variant,
      source: 'short-run',
      artifact: null,
      testPairs: raw.protocol.shortRun.testPairs,
      accuracy: ours.accuracy,
      loss: ours.testLoss,
      auc: ours.auc,
      oneShot: ours.oneShot,
    };
  });

  const timeToAccuracy = assembleTta(raw, ratioThreads, notes);

  const processes = [
    ...raw.ours.processes.map((p) => ({ side: 'twinnet' as const, threads: ratioThreads, ...p })),
    ...raw.peer.outputs.map(({ job, output }) => ({
      side: 'pytorch' as const,
      job,
      threads: output.threads,
      peakRssMiB: output.peakRssMiB,
    })),
  ];
  const peakFor = (threads: number) =>
    Math.max(
      ...processes.filter((p) => p.side === 'pytorch' && p.threads === threads).map((p) => p.peakRssMiB),
    );

  if (raw.peer.probe.ok && raw.peer.outputs.length > 0) {
    const digests = new Set(raw.peer.outputs.map((o) => o.output.pairsDigest));
    if (digests.size !== 1 || !digests.has(raw.ours.pairsDigest)) {
      notes.push(
        "the peer's pair sampler does not reproduce ours (digest mismatch): check peers/siamese_torch.py",
      );
    }
  }
  if (raw.wallSeconds > 600) {
    notes.push(
      `the run took ${raw.wallSeconds.toFixed(0)} s, more than the 10 minutes the protocol is sized for`,
    );
  }
  const busy = Math.max(raw.loadAverage.start[0], raw.loadAverage.end[0]);
  // More runnable processes than cores, the bench's own one included: others took CPU from this run.
  if (busy > raw.machine.logicalCores) {
    notes.push(
      `the machine was busy (1-minute load average up to ${busy.toFixed(1)} on ${raw.machine.logicalCores} cores): ` +
        'absolute rates are low; ratios measured in this run are the figures to compare',
    );
  }

  return {
    schemaVersion: BENCH_SCHEMA_VERSION,
    createdAt: raw.createdAt.toISOString(),
    gitCommit: raw.git.commit,
    gitDirty: raw.git.dirty,
    wallSeconds: raw.wallSeconds,
    machine: { ...raw.machine, loadAverage: raw.loadAverage },
    versions: raw.versions,
    backend: {
      name: benchBackendName(raw.backend),
      description: describeBackend(raw.backend),
      threads: raw.backend.threads,
      simd: raw.backend.simd,
    },
    calibration: {
      workload: CALIBRATION_WORKLOAD,
      unitsPerSecond: calibration.wall,
      unitsPerCpuSecond: calibration.cpu,
    },
    peer: {
      available: raw.peer.probe.ok && raw.peer.outputs.length > 0,
      reason: raw.peer.probe.ok
        ? raw.peer.outputs.length > 0
          ? null
          : (raw.peer.problems[0] ?? 'not run')
        : raw.peer.probe.reason,
      python: raw.peer.probe.ok ? raw.peer.probe.python : null,
      torch: raw.peer.probe.ok ? raw.peer.probe.torch : null,
      script: raw.peer.script,
      threads: peerThreads,
      ratioThreads,
    },
    protocol: raw.protocol,
    throughput,
    classifierThroughput,
    quality,
    shortRun,
    timeToAccuracy,
    memory: {
      peakRssMiB: compared(
        Math.max(...raw.ours.processes.map((p) => p.peakRssMiB)),
        peerThreads.map((threads) => ({ threads, value: peakFor(threads) })),
        ratioThreads,
      ),
      processes,
    },
    notes,
  };
}

function assembleTta(raw: RawRun, ratioThreads: number, notes: string[]): TimeToAccuracy {
  const { tta } = raw.protocol;
  const ours = raw.ours.tta;
  const run = (
    side: TtaRun['side'],
    threads: number,
    recipe: TtaRun['recipe'],
    r: Pick<TtaRaw, 'reached' | 'seconds' | 'pairs' | 'wallSeconds' | 'curve'>,
  ): TtaRun => ({
    side,
    threads,
    recipe,
    reached: r.reached,
    seconds: r.seconds,
    pairs: r.pairs,
    wallSeconds: r.wallSeconds,
    bestAccuracy: r.curve.length > 0 ? Math.max(...r.curve.map((p) => p.accuracy)) : null,
    curve: r.curve,
  });
  const oursRun = run('twinnet', ratioThreads, ours.recipe, ours);
  if (ours.stoppedBy === 'epochs') {
    notes.push(
      `time to accuracy: the preset's ${ours.epochs} epochs ended after ${ours.wallSeconds.toFixed(0)} s, before the target and the cap`,
    );
  }
  if (ours.pairing !== 'explicit') {
    notes.push(`time to accuracy: the preset trains with ${ours.pairing} pairing; pairs count images ÷ 2`);
  }
  const peers = raw.peer.outputs.flatMap(({ output }) =>
    output.results.flatMap((r) =>
      r.kind === 'tta' ? [run('pytorch', output.threads, tta.peerRecipe, r)] : [],
    ),
  );
  for (const p of raw.peer.outputs.flatMap(({ output }) => output.results)) {
    if (p.kind === 'tta' && p.validationDigest !== ours.validationDigest) {
      notes.push('time to accuracy: the peer validated on different pairs than ours');
    }
  }
  const peer = peers.find((p) => p.threads === ratioThreads);
  const lastSeconds = (r: TtaRun) => r.curve.at(-1)?.seconds ?? null;
  let ratio: number | null = null;
  let ratioKind: TimeToAccuracy['ratioKind'] = null;
  if (peer && oursRun.seconds !== null && peer.seconds !== null) {
    ratio = oursRun.seconds / peer.seconds;
    ratioKind = 'exact';
  } else if (peer && oursRun.seconds === null && peer.seconds !== null && lastSeconds(oursRun) !== null) {
    ratio = lastSeconds(oursRun)! / peer.seconds;
    ratioKind = 'at-least';
  } else if (peer && oursRun.seconds !== null && peer.seconds === null && lastSeconds(peer) !== null) {
    ratio = oursRun.seconds / lastSeconds(peer)!;
    ratioKind = 'at-most';
  }
  const firstAt = (r: TtaRun | undefined, accuracy: number) =>
    r?.curve.find((p) => p.accuracy >= accuracy)?.seconds ?? null;
  return {
    target: tta.target,
    capSeconds: tta.capSeconds,
    validationPairs: tta.validationPairs,
    evalEveryPairs: tta.evalEveryPairs,
    ours: oursRun,
    peer: peers,
    ratio,
    ratioKind,
    milestones: MILESTONES.map((accuracy) => {
      const o = firstAt(oursRun, accuracy);
      const p = firstAt(peer, accuracy);
      return { accuracy, ours: o, peer: p, ratio: o !== null && p !== null && p > 0 ? o / p : null };
    }),
  };
}

/**
 * Rates are the best round of each side. Ratios are the median, over rounds, of ours ÷ the peer's round taken
 * right after it (same load), at the ratio thread count, with the lowest and highest of them as its range;
 * `calibrated` likewise against the calibration round.
 */
export function assembleThroughput(
  t: ThroughputRounds,
  ratioThreads: number,
  notes: string[],
): BenchThroughput {
  const recipe = preset('mnist', t.variant);
  for (const p of t.peers) {
    if (p.towerParameters !== t.ours.towerParameters) {
      notes.push(
        `${t.variant}, batch ${t.batchSize}: the peer's tower has ${p.towerParameters} trainable parameters, ours ${t.ours.towerParameters}: ` +
          'apps/bench/peers/siamese_torch.py is out of step with packages/core/src/model/towers/',
      );
    }
  }
  const figure = (op: 'train' | 'embed', clock: 'wall' | 'cpu', scale = 1) =>
    pairedFigure(t, op, clock, ratioThreads, scale);
  const latency = (summary: (ms: number[]) => number) =>
    compared(
      summary(t.ours.latencyMs),
      t.peers.map((p) => ({ threads: p.threads, value: summary(p.latencyMs) })),
      ratioThreads,
    );
  const calibrated = (op: 'train' | 'embed', calibration: Seconds[]) => calibratedRate(t, op, calibration);
  return {
    variant: t.variant,
    tower: recipe.tower.kind,
    head: recipe.head.kind,
    batchSize: t.batchSize,
    trainPairsPerSecond: figure('train', 'wall'),
    trainPairsPerCpuSecond: figure('train', 'cpu'),
    trainImagesPerSecond: figure('train', 'wall', 2),
    embedImagesPerSecond: figure('embed', 'wall'),
    embedImagesPerCpuSecond: figure('embed', 'cpu'),
    latencyMedianMs: latency(median),
    latencyP95Ms: latency((ms) => percentile(ms, 95)),
    calibrated: {
      trainPairs: calibrated('train', t.ours.trainCalibration),
      embedImages: calibrated('embed', t.ours.embedCalibration),
    },
  };
}

type Measured = Pick<ThroughputRounds, 'units' | 'ours' | 'peers'>;

/**
 * One rate on both sides: each side's best round, and the median over rounds of ours ÷ the peer's round taken
 * right after it at the ratio thread count, with the lowest and highest of them as its range.
 */
function pairedFigure(
  t: Measured,
  op: 'train' | 'embed',
  clock: 'wall' | 'cpu',
  ratioThreads: number,
  scale = 1,
): Compared {
  const match = t.peers.find((p) => p.threads === ratioThreads);
  const rate = (s: Seconds) => (scale * t.units[op]) / s[clock];
  const pairedRatios = match
    ? t.ours[op].flatMap((o, i) => (match[op][i] ? [rate(o) / rate(match[op][i]!)] : []))
    : [];
  return {
    ours: best(t.ours[op].map(rate)),
    peer: t.peers.map((p: SideRounds) => ({ threads: p.threads, value: best(p[op].map(rate)) })),
    ratio: pairedRatios.length > 0 ? median(pairedRatios) : null,
    ...(pairedRatios.length > 0
      ? { ratioRange: [Math.min(...pairedRatios), Math.max(...pairedRatios)] as [number, number] }
      : {}),
  };
}

/** Ours ÷ the calibration round taken right after it, per CPU second: the median over rounds. */
function calibratedRate(t: Measured, op: 'train' | 'embed', calibration: Seconds[]): number {
  return median(t.ours[op].map((o, i) => t.units[op] / o.cpu / (CALIBRATION_UNITS / calibration[i]!.cpu)));
}

/**
 * The classifier workload's figures, in images (its batch is images, not pairs), ratios as for the variants. A
 * peer tower with another parameter count (the proxies are the loss's, on both sides) is a note.
 */
export function assembleClassifier(
  t: ClassifierRounds,
  protocol: BenchProtocol,
  ratioThreads: number,
  notes: string[],
): BenchClassifierThroughput {
  const recipe = classifierRecipe(protocol);
  const workload = protocol.classifier!;
  for (const p of t.peers) {
    if (p.towerParameters !== t.ours.towerParameters) {
      notes.push(
        `${recipe.tower.kind} tower (cosine classifier): the peer's tower has ${p.towerParameters} trainable parameters, ours ${t.ours.towerParameters}: ` +
          'apps/bench/peers/siamese_torch.py is out of step with packages/core/src/model/towers/',
      );
    }
  }
  return {
    tower: recipe.tower.kind,
    loss: recipe.loss.kind,
    temperature: recipe.loss.temperature,
    classes: workload.classes,
    perClass: workload.perClass,
    batchSize: t.batchSize,
    optimizer: recipe.optimizer.kind,
    learningRate: recipe.optimizer.learningRate,
    towerParameters: t.ours.towerParameters,
    trainImagesPerSecond: pairedFigure(t, 'train', 'wall', ratioThreads),
    trainImagesPerCpuSecond: pairedFigure(t, 'train', 'cpu', ratioThreads),
    embedImagesPerSecond: pairedFigure(t, 'embed', 'wall', ratioThreads),
    embedImagesPerCpuSecond: pairedFigure(t, 'embed', 'cpu', ratioThreads),
    calibrated: {
      trainImages: calibratedRate(t, 'train', t.ours.trainCalibration),
      embedImages: calibratedRate(t, 'embed', t.ours.embedCalibration),
    },
  };
}
