import { BenchResultSchema } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { compareResults, comparisonFailed } from '../src/compare.ts';
import { benchProtocol } from '../src/protocol.ts';
import { syntheticResult, withAccuracy, withSpeed } from './fixtures.ts';

const failures = (checks: ReturnType<typeof compareResults>) =>
  checks.filter((c) => c.status === 'fail').map((c) => c.name);

describe('compareResults', () => {
  const base = syntheticResult();

  const informational = [
    'contrastive batch 64 training throughput per CPU second',
    'contrastive batch 64 embedding throughput per CPU second',
    'bce batch 64 training throughput per CPU second',
    'bce batch 64 embedding throughput per CPU second',
    'vgg tower (cosine classifier) batch 224 images training throughput per CPU second',
    'vgg tower (cosine classifier) batch 224 images embedding throughput per CPU second',
  ];

  it('passes an identical result', () => {
    const checks = compareResults(base, syntheticResult());
    expect(comparisonFailed(checks)).toBe(false);
    expect(checks.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([
      'contrastive short-run test accuracy',
      'bce short-run test accuracy',
    ]);
    expect(checks.filter((c) => c.status === 'info').map((c) => c.name)).toEqual(informational);
  });

  it('shows throughput against a stored baseline for information, never as a failure', () => {
    const slow = compareResults(base, withSpeed(base, 0.8));
    expect(failures(slow)).toEqual([]);
    expect(slow[2]).toMatchObject({ name: informational[0], status: 'info' });
    expect(slow[2]?.detail).toBe(
      '÷ PyTorch (1 thread) 0.400 vs 0.500 (−20.0%), ÷ calibration 0.320 vs 0.400 (−20.0%); ' +
        'down more than 15% against both: check with --compare REF',
    );
    expect(compareResults(base, withSpeed(base, 0.9))[2]?.detail).toBe(
      '÷ PyTorch (1 thread) 0.450 vs 0.500 (−10.0%), ÷ calibration 0.360 vs 0.400 (−10.0%)',
    );
  });

  it('compares throughput at the same batch size only', () => {
    const current = syntheticResult();
    const slowSmallBatch = { ...current.throughput[0]!, batchSize: 16 };
    slowSmallBatch.calibrated = { trainPairs: 1e-6, embedImages: 1e-6 };
    current.throughput.push(slowSmallBatch);
    const checks = compareResults(base, current);
    expect(comparisonFailed(checks)).toBe(false);
    expect(checks.find((c) => c.name === 'contrastive batch 16 throughput')).toMatchObject({
      status: 'skip',
      detail: 'not in the baseline',
    });
    expect(failures(compareResults(current, current))).toEqual([]);
  });

  it('skips the classifier workload against a baseline from before it', () => {
    const old = JSON.parse(JSON.stringify(syntheticResult()));
    delete old.classifierThroughput;
    delete old.protocol.classifier;
    const checks = compareResults(BenchResultSchema.parse(old), syntheticResult());
    expect(comparisonFailed(checks)).toBe(false);
    expect(checks.find((c) => c.name.startsWith('vgg'))).toMatchObject({
      name: 'vgg tower (cosine classifier) batch 224 images throughput',
      status: 'skip',
      detail: 'not in the baseline',
    });
    const slow = compareResults(base, withSpeed(base, 0.8)).find((c) => c.name === informational[4]);
    expect(slow?.detail).toBe(
      '÷ PyTorch (1 thread) 0.929 vs 1.161 (−20.0%), ÷ calibration 0.0576 vs 0.0720 (−20.0%); ' +
        'down more than 15% against both: check with --compare REF',
    );
  });

  it('fails a result 1 point less accurate, and passes 0.2 points less', () => {
    expect(failures(compareResults(base, withAccuracy(base, -0.01)))).toEqual([
      'contrastive short-run test accuracy',
      'bce short-run test accuracy',
    ]);
    expect(comparisonFailed(compareResults(base, withAccuracy(base, -0.002)))).toBe(false);
  });

  it('hints at a slowdown only when ours fell against both references', () => {
    const peerFaster = syntheticResult();
    for (const t of peerFaster.throughput) t.trainPairsPerCpuSecond.ratio! /= 2;
    expect(compareResults(base, peerFaster)[2]?.detail).not.toContain('--compare REF');
    const calibrationFaster = syntheticResult();
    for (const t of calibrationFaster.throughput) t.calibrated.trainPairs /= 2;
    expect(compareResults(base, calibrationFaster)[2]?.detail).not.toContain('--compare REF');
  });

  it('compares runs without the peer on the calibration ratio alone', () => {
    const noPeer = (r: ReturnType<typeof syntheticResult>) => ({
      ...r,
      throughput: r.throughput.map((t) => ({
        ...t,
        trainPairsPerCpuSecond: { ...t.trainPairsPerCpuSecond, peer: [], ratio: null },
        embedImagesPerCpuSecond: { ...t.embedImagesPerCpuSecond, peer: [], ratio: null },
      })),
    });
    const slow = compareResults(base, noPeer(withSpeed(base, 0.8)));
    expect(failures(slow)).toEqual([]);
    expect(slow[2]?.detail).toBe(
      '÷ calibration 0.320 vs 0.400 (−20.0%); down more than 15% against the calibration: check with --compare REF',
    );
  });

  it('checks artifact accuracy when both runs read artifacts', () => {
    const fromArtifacts = (r: ReturnType<typeof syntheticResult>) => ({
      ...r,
      quality: r.quality.map((q) => ({
        ...q,
        source: 'artifacts' as const,
        artifact: {
          path: 'artifacts/x/metrics.json',
          gitCommit: 'abc',
          createdAt: r.createdAt,
          ageHours: 1,
          backend: 'wasm',
          epochs: 6,
        },
      })),
    });
    const worse = fromArtifacts(syntheticResult());
    worse.quality[1]!.accuracy -= 0.005;
    expect(failures(compareResults(fromArtifacts(base), worse))).toEqual([
      'bce trained-model test accuracy (artifacts)',
    ]);
    const oneSided = compareResults(fromArtifacts(base), syntheticResult());
    expect(oneSided.filter((c) => c.status === 'skip').map((c) => c.detail)).toEqual([
      'only the baseline read artifacts',
      'only the baseline read artifacts',
    ]);
  });

  it('refuses to compare a quick run with a full baseline', () => {
    const quick = { ...syntheticResult(), protocol: benchProtocol(true) };
    expect(failures(compareResults(base, quick))).toEqual(['protocol']);
  });

  it('skips the short-run accuracy check when the budgets changed', () => {
    const other = syntheticResult();
    other.protocol.shortRun.pairs.contrastive *= 2;
    const checks = compareResults(base, withAccuracy(other, -0.05));
    expect(checks.filter((c) => c.name.includes('short-run')).map((c) => c.status)).toEqual(['skip', 'skip']);
  });
});
