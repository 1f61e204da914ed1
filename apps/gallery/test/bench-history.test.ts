// The bench history is read line by line: what validates is charted, the rest is skipped with a reason.
import { BENCH_SCHEMA_VERSION } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { benchMetrics } from '../src/lib/bench.ts';
import { parseBenchHistory } from '../src/lib/server/bench-history.ts';

const figure = (ours: number | null) => ({ ours, peer: null, ratio: null });
const line = (createdAt: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: BENCH_SCHEMA_VERSION,
    createdAt,
    quick: true,
    backend: 'wasm',
    // A field the gallery does not chart, as the bench may add any time.
    gitCommit: 'abc',
    variants: [
      {
        variant: 'contrastive',
        trainPairsPerSecond: figure(1000),
        embedImagesPerSecond: figure(null),
        latencyMedianMs: figure(2),
        accuracy: 0.9,
      },
    ],
    ...extra,
  });

describe('parseBenchHistory', () => {
  it('charts valid lines, in time order, and skips torn or foreign ones with their line numbers', () => {
    const text = [
      line('2026-02-01T00:00:00Z'),
      '',
      '{"schemaVersion": 1, "created',
      line('2026-01-01T00:00:00Z'),
      line('2026-03-01T00:00:00Z', { schemaVersion: BENCH_SCHEMA_VERSION + 1 }),
    ].join('\n');
    const history = parseBenchHistory(text, 'history.jsonl');
    expect(history.points.map((p) => p.date)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(history.points[0]).toMatchObject({
      series: 'contrastive · wasm · quick',
      values: { 'train pairs/s': 1000, 'latency median (ms)': 2, 'test accuracy': 0.9 },
    });
    expect(history.points[0]!.values['embed images/s']).toBeUndefined();
    expect(history.skipped.map((s) => s.line)).toEqual([3, 5]);
    expect(history.skipped[0]!.reason).toMatch(/history.jsonl:3: not valid JSON/);
    expect(benchMetrics(history.points)).toEqual(['train pairs/s', 'latency median (ms)', 'test accuracy']);
  });

  it('charts the classifier-trained tower as a series of its own, in images', () => {
    const classifier = {
      tower: 'vgg',
      batchSize: 224,
      trainImagesPerSecond: { ours: 400, peer: 300, ratio: 1.3 },
      trainImagesPerCpuSecond: figure(410),
      embedImagesPerSecond: figure(1500),
    };
    const history = parseBenchHistory(line('2026-04-01T00:00:00Z', { classifier }), 'history.jsonl');
    expect(history.skipped).toEqual([]);
    expect(history.points.map((p) => p.series)).toEqual([
      'contrastive · wasm · quick',
      'vgg classifier · wasm · quick',
    ]);
    expect(history.points[1]!.values).toEqual({
      'train images/s': 400,
      'embed images/s': 1500,
      'train images/s ÷ PyTorch': 1.3,
    });
    expect(benchMetrics(history.points)).toContain('train images/s ÷ PyTorch');
  });
});
