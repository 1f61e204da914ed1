import { type BenchProtocol, median, percentile } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { drawEpisodes, type EvaluationSets, replaySimilarity, shortRunMetrics } from '../src/evaluation.ts';
import { benchProtocol } from '../src/protocol.ts';
import { best } from '../src/stats.ts';

/** Labels only: the metrics never look at pixels. 30 test images per class; pairs hand-made. */
function sets(): EvaluationSets {
  const labels = Uint8Array.from({ length: 300 }, (_, i) => i % 10);
  const split = { images: new Uint8Array(0), labels, count: 300, rows: 28 as const, cols: 28 as const };
  const pairs = {
    a: Int32Array.from([0, 1, 2, 3]),
    b: Int32Array.from([10, 11, 12, 13]),
    same: Uint8Array.from([1, 1, 0, 0]),
    count: 4,
  };
  return { validation: split, validationPairs: pairs, test: split, testPairs: pairs };
}

describe('one-shot episodes for the peer', () => {
  const protocol: BenchProtocol = { ...benchProtocol(true) };

  it('replaying recorded similarities gives exactly the result of scoring directly', () => {
    const s = sets();
    // Any deterministic similarity: here, a function of the label difference and the indices.
    const similarity = (queries: Int32Array, supports: Int32Array) =>
      Float32Array.from({ length: queries.length * supports.length }, (_, k) => {
        const q = queries[Math.floor(k / supports.length)]!;
        const t = supports[k % supports.length]!;
        return -Math.abs((q % 10) - (t % 10)) + ((q * 31 + t) % 7) / 10;
      });
    const scores = {
      validation: Float32Array.from([0.1, 0.2, 0.9, 0.8]),
      test: Float32Array.from([0.2, 0.3, 0.7, 0.1]),
    };
    const direct = shortRunMetrics(s, scores, 'lower-is-same', similarity, protocol);

    const episodes = drawEpisodes(s, protocol);
    expect(episodes.queries).toHaveLength(protocol.shortRun.episodes);
    const recorded = episodes.queries.flatMap((q, i) => [...similarity(q, episodes.supports[i]!)]);
    const replayed = shortRunMetrics(
      s,
      scores,
      'lower-is-same',
      replaySimilarity(Float32Array.from(recorded)),
      protocol,
    );
    expect(replayed).toEqual(direct);
    // The last test pair (0.1, different) falls below the validation threshold: 3 of 4 right.
    expect(direct.accuracy).toBe(0.75);
  });

  it('refuses to replay more scores than were supplied', () => {
    const replay = replaySimilarity(new Float32Array(4));
    expect(() => replay(Int32Array.from([1, 2, 3]), Int32Array.from([4, 5]), 1)).toThrow(/more episodes/);
    expect(() => replay(Int32Array.from([1]), Int32Array.from([4, 5]), 2)).toThrow(/1-shot episodes only/);
  });
});

describe('stats', () => {
  // Core's median and percentile, as the bench's latency figures rely on them: nearest rank, no interpolation.
  it('takes nearest-rank percentiles and the best rate', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(percentile(values, 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 200 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(190);
    expect(best(values)).toBe(5);
    expect(() => median([])).toThrow(/no measurements/);
  });
});
