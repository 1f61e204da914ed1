import type { BenchResult, Compared } from '@twinnet/core';
import { BENCH_SCHEMA_VERSION } from '@twinnet/core';
import { benchProtocol } from '../src/protocol.ts';

/** ours, the peer at 1 and 2 threads, ours/peer at 1 thread. */
export function figure(ours: number, peer1: number, peer2: number): Compared {
  return {
    ours,
    peer: [
      { threads: 1, value: peer1 },
      { threads: 2, value: peer2 },
    ],
    ratio: ours / peer1,
  };
}

const ttaRun = (side: 'twinnet' | 'pytorch', seconds: number) => ({
  side,
  threads: 1,
  recipe: {
    tower: 'small' as const,
    head: 'distance' as const,
    embeddingDim: 10,
    optimizer: 'rmsprop',
    learningRate: 0.002,
    margin: 1,
    batchSize: 64,
    pairsPerEpoch: 30000,
  },
  reached: true,
  seconds,
  pairs: 64000,
  wallSeconds: seconds + 5,
  bestAccuracy: 0.981,
  curve: [
    { pairs: 6400, seconds: seconds / 10, accuracy: 0.9 },
    { pairs: 64000, seconds, accuracy: 0.981 },
  ],
});

/** A complete, valid result with plausible numbers; tests derive slower or less accurate variants from it. */
export function syntheticResult(): BenchResult {
  return {
    schemaVersion: BENCH_SCHEMA_VERSION,
    createdAt: '2026-11-23T15:00:00.000Z',
    gitCommit: 'abcdef123456',
    gitDirty: false,
    wallSeconds: 540,
    machine: {
      cpuModel: 'AMD EPYC',
      logicalCores: 2,
      totalMemoryMiB: 23000,
      loadAverage: { start: [1.2, 1.1, 1], end: [1.3, 1.2, 1] },
    },
    versions: { node: '20.20.2', tfjs: '4.22.0', twinnet: '0.1.0', python: '3.11.2', torch: '1.13.0a0' },
    backend: { name: 'wasm', description: 'wasm (simd, 1 thread)', threads: 1, simd: true },
    calibration: { workload: 'js-matmul-64', unitsPerSecond: 5000, unitsPerCpuSecond: 5000 },
    peer: {
      available: true,
      reason: null,
      python: '3.11.2',
      torch: '1.13.0a0',
      script: 'apps/bench/peers/siamese_torch.py',
      threads: [1, 2],
      ratioThreads: 1,
    },
    protocol: benchProtocol(false),
    throughput: (['contrastive', 'bce'] as const).map((variant) => {
      const [train, embed] = variant === 'contrastive' ? [2000, 30000] : [300, 4000];
      return {
        variant,
        tower: variant === 'contrastive' ? ('small' as const) : ('deep' as const),
        head: variant === 'contrastive' ? ('distance' as const) : ('mlp' as const),
        batchSize: 64,
        trainPairsPerSecond: figure(train, 2 * train, 3 * train),
        trainPairsPerCpuSecond: figure(train, 2 * train, 1.5 * train),
        trainImagesPerSecond: figure(2 * train, 4 * train, 6 * train),
        embedImagesPerSecond: figure(embed, 2 * embed, 3 * embed),
        embedImagesPerCpuSecond: figure(embed, 2 * embed, 1.5 * embed),
        latencyMedianMs: figure(1.5, 0.5, 0.6),
        latencyP95Ms: figure(3, 1, 1.2),
        calibrated: { trainPairs: train / 5000, embedImages: embed / 5000 },
      };
    }),
    classifierThroughput: [
      {
        tower: 'vgg',
        loss: 'norm-softmax',
        temperature: 1 / 16,
        classes: [0, 1, 2, 3, 4, 5, 6],
        perClass: 32,
        batchSize: 224,
        optimizer: 'adam',
        learningRate: 0.002,
        towerParameters: 303_392,
        trainImagesPerSecond: figure(350, 300, 500),
        trainImagesPerCpuSecond: figure(360, 310, 280),
        embedImagesPerSecond: figure(1500, 1200, 2000),
        embedImagesPerCpuSecond: figure(1520, 1210, 1100),
        calibrated: { trainImages: 360 / 5000, embedImages: 1520 / 5000 },
      },
    ],
    quality: (['contrastive', 'bce'] as const).map((variant) => ({
      variant,
      source: 'short-run' as const,
      artifact: null,
      testPairs: 5000,
      accuracy: 0.9,
      loss: 0.1,
      auc: 0.95,
      oneShot: { ways: 10, shots: 1, episodes: 300, accuracy: 0.7, ci95: 0.02 },
    })),
    shortRun: (['contrastive', 'bce'] as const).map((variant) => ({
      variant,
      pairs: variant === 'contrastive' ? 12800 : 6400,
      batchSize: 64,
      optimizer: variant === 'contrastive' ? 'rmsprop' : 'adam',
      learningRate: 0.001,
      accuracy: { ours: 0.9, peer: [{ threads: 1, value: 0.89 }], ratio: 0.9 / 0.89 },
      loss: { ours: 0.1, peer: [{ threads: 1, value: 0.11 }], ratio: 0.1 / 0.11 },
      auc: { ours: 0.95, peer: [{ threads: 1, value: 0.94 }], ratio: 0.95 / 0.94 },
      oneShotAccuracy: { ours: 0.7, peer: [{ threads: 1, value: 0.68 }], ratio: 0.7 / 0.68 },
      trainSeconds: { ours: 20, peer: [{ threads: 1, value: 5 }], ratio: 4 },
      pairsIdentical: true,
    })),
    timeToAccuracy: {
      target: 0.98,
      capSeconds: 120,
      validationPairs: 5000,
      evalEveryPairs: 6400,
      ours: ttaRun('twinnet', 100),
      peer: [ttaRun('pytorch', 50)],
      ratio: 2,
      ratioKind: 'exact',
      milestones: [{ accuracy: 0.9, ours: 10, peer: 5, ratio: 2 }],
    },
    memory: {
      peakRssMiB: figure(350, 550, 560),
      processes: [
        { side: 'twinnet', job: 'throughput', threads: 1, peakRssMiB: 350 },
        { side: 'pytorch', job: 'throughput', threads: 1, peakRssMiB: 550 },
        { side: 'pytorch', job: 'throughput', threads: 2, peakRssMiB: 560 },
      ],
    },
    notes: [],
  };
}

/** The same run with ours `factor` times as fast: the peer and the calibration unchanged, so every ratio moves. */
export function withSpeed(result: BenchResult, factor: number): BenchResult {
  const scale = (f: Compared): Compared => ({
    ...f,
    ours: f.ours === null ? null : f.ours * factor,
    ratio: f.ratio === null ? null : f.ratio * factor,
  });
  return {
    ...result,
    throughput: result.throughput.map((t) => ({
      ...t,
      trainPairsPerSecond: scale(t.trainPairsPerSecond),
      trainPairsPerCpuSecond: scale(t.trainPairsPerCpuSecond),
      trainImagesPerSecond: scale(t.trainImagesPerSecond),
      embedImagesPerSecond: scale(t.embedImagesPerSecond),
      embedImagesPerCpuSecond: scale(t.embedImagesPerCpuSecond),
      calibrated: {
        trainPairs: t.calibrated.trainPairs * factor,
        embedImages: t.calibrated.embedImages * factor,
      },
    })),
    classifierThroughput: result.classifierThroughput.map((c) => ({
      ...c,
      trainImagesPerSecond: scale(c.trainImagesPerSecond),
      trainImagesPerCpuSecond: scale(c.trainImagesPerCpuSecond),
      embedImagesPerSecond: scale(c.embedImagesPerSecond),
      embedImagesPerCpuSecond: scale(c.embedImagesPerCpuSecond),
      calibrated: {
        trainImages: c.calibrated.trainImages * factor,
        embedImages: c.calibrated.embedImages * factor,
      },
    })),
  };
}

/** The same run with our short-run accuracy shifted by `delta` (e.g. −0.01 for one point less). */
export function withAccuracy(result: BenchResult, delta: number): BenchResult {
  return {
    ...result,
    shortRun: result.shortRun.map((s) => ({
      ...s,
      accuracy: { ...s.accuracy, ours: s.accuracy.ours! + delta },
    })),
    quality: result.quality.map((q) => ({ ...q, accuracy: q.accuracy + delta })),
  };
}
