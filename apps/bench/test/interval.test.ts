import { createRng, type Rng } from '@twinnet/datasets/random';
import { describe, expect, it } from 'vitest';
import { ratioInterval, trimmedMean, type Verdict, verdict } from '../src/ab/interval.ts';

const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/**
 * Rates of paired rounds as a shared machine gives them: a load factor both measurements of a round share
 * (lognormal, 15%), noise of each measurement's own (lognormal, `noise`), and now and then (5%) a measurement
 * that another process's burst made 1.5–2.5 times slower. The new side does `slowdown` times the work.
 */
function rounds(seed: number, count: number, slowdown: number, noise: number) {
  const rng = createRng(seed);
  const old: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < count; r++) {
    const load = 0.15 * normal(rng);
    const seconds = (work: number) => {
      const outlier = rng.next() < 0.05 ? 1.5 + rng.next() : 1;
      return work * outlier * Math.exp(load + noise * normal(rng));
    };
    old.push(1000 / seconds(1));
    now.push(1000 / seconds(slowdown));
  }
  return { old, now };
}

function verdicts(seeds: number, count: number, slowdown: number, noise: number) {
  const tally: Record<Verdict, number> = { ok: 0, regression: 0, inconclusive: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const { old, now } = rounds(seed, count, slowdown, noise);
    tally[verdict(ratioInterval(old, now, { seed }), true)]++;
  }
  return tally;
}

describe('ratioInterval and verdict', () => {
  it('flags a 20% slowdown under 10–15% noise per round and occasional outliers', () => {
    // 80 rounds at 10%: flagged in (nearly) every run; never passed as ok.
    const typical = verdicts(50, 80, 1.2, 0.1);
    expect(typical.regression).toBeGreaterThanOrEqual(47);
    expect(typical.ok).toBe(0);
    // At 15% the same rounds cannot always decide, but a 20% slowdown is still never called ok.
    const noisy = verdicts(50, 80, 1.2, 0.15);
    expect(noisy.ok).toBe(0);
    expect(noisy.regression).toBeGreaterThan(noisy.inconclusive);

    const { old, now } = rounds(7, 80, 1.2, 0.12);
    const interval = ratioInterval(old, now, { seed: 1 });
    expect(interval.ratio).toBeGreaterThan(1 / 1.3);
    expect(interval.ratio).toBeLessThan(1 / 1.1);
    expect(interval.high).toBeLessThan(1 / 1.1);
  });

  it('does not flag equal sides: no false alarm in 200 runs', () => {
    const tallies = [
      [20, 0.15],
      [40, 0.12],
      [80, 0.1],
    ].map(([count, noise]) => verdicts(200, count!, 1, noise!));
    expect(tallies.map((t) => t.regression)).toEqual([0, 0, 0]);
    // With enough rounds, nearly every equal run is decided as ok rather than left inconclusive.
    expect(tallies[2]!.ok).toBeGreaterThanOrEqual(190);
  });

  it('narrows with more rounds', () => {
    const width = (count: number) => {
      const { old, now } = rounds(3, count, 1, 0.12);
      const { low, high } = ratioInterval(old, now, { seed: 3 });
      return Math.log(high / low);
    };
    const [w10, w40, w160] = [width(10), width(40), width(160)];
    expect(w40).toBeLessThan(0.75 * w10);
    expect(w160).toBeLessThan(0.75 * w40);
    // About 1/sqrt(rounds): four times the rounds, half the width.
    expect(w160 / w40).toBeGreaterThan(0.3);
  });

  it('reads rates and latencies each in their own direction', () => {
    const same = ratioInterval([100, 100, 100], [100, 100, 100], { seed: 1 });
    expect(same).toEqual({ ratio: 1, low: 1, high: 1, rounds: 3 });
    expect(verdict(same, true)).toBe('ok');
    const slowerRate = { ratio: 0.8, low: 0.78, high: 0.85, rounds: 40 };
    expect(verdict(slowerRate, true)).toBe('regression');
    // The same numbers as a latency: 20% less time, faster.
    expect(verdict(slowerRate, false)).toBe('ok');
    expect(verdict({ ratio: 1.2, low: 1.12, high: 1.3, rounds: 40 }, false)).toBe('regression');
    expect(verdict({ ratio: 1.1, low: 1.05, high: 1.16, rounds: 40 }, false)).toBe('inconclusive');
    // The threshold is a time factor: a rate ratio of 0.9 is 11% more time.
    expect(verdict({ ratio: 0.9, low: 0.905, high: 0.908, rounds: 40 }, true)).toBe('regression');
    expect(verdict({ ratio: 0.9, low: 0.88, high: 0.92, rounds: 40 }, true, 0.2)).toBe('ok');
  });

  it('repeats exactly for one seed, and refuses unpaired or non-positive figures', () => {
    const { old, now } = rounds(5, 30, 1, 0.1);
    expect(ratioInterval(old, now, { seed: 9 })).toEqual(ratioInterval(old, now, { seed: 9 }));
    expect(() => ratioInterval([1, 2], [1], { seed: 1 })).toThrow(/same number of rounds/);
    expect(() => ratioInterval([1, 0], [1, 1], { seed: 1 })).toThrow(/round 1: figures must be positive/);
  });

  it('trims a fifth from each end before averaging', () => {
    expect(trimmedMean([1, 2, 3, 4, 100])).toBe(3);
    expect(trimmedMean([5])).toBe(5);
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000])).toBe(5.5);
  });
});
