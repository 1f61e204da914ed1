import { describe, expect, it } from 'vitest';
import {
  calibrateOpenSet,
  cutForSupports,
  type MeasureFn,
  type OpenSetQueries,
  openSetAuroc,
  openSetEpisodes,
  openSetRates,
  thinSweep,
} from '../src/eval/metrics/open-set.ts';
import type { Polarity } from '../src/model/heads/head.ts';
import { createRng } from '../src/random.ts';

/** `perClass` points of each class in the plane, around its centre with a seeded spread of ± `spread`. */
function clusters(centres: [number, number][], perClass: number, spread: number, seed = 1) {
  const rng = createRng(seed);
  const labels: number[] = [];
  const points: number[] = [];
  centres.forEach(([x, y], c) => {
    for (let i = 0; i < perClass; i++) {
      labels.push(c);
      points.push(x + spread * (2 * rng.next() - 1), y + spread * (2 * rng.next() - 1));
    }
  });
  return { labels: Uint8Array.from(labels), points: Float64Array.from(points) };
}

/** Euclidean distances to each group's mean point (lower is closer), or their negatives (higher is closer). */
function measureOf(points: Float64Array, polarity: Polarity): MeasureFn {
  const sign = polarity === 'lower-is-same' ? 1 : -1;
  return (queries, supports, shots) => {
    const ways = supports.length / shots;
    const out = new Float32Array(queries.length * ways);
    for (let w = 0; w < ways; w++) {
      const group = supports.subarray(w * shots, (w + 1) * shots);
      const mean = [0, 1].map((k) => group.reduce((sum, s) => sum + points[2 * s + k]!, 0) / shots);
      queries.forEach((q, i) => {
        out[i * ways + w] = sign * Math.hypot(points[2 * q]! - mean[0]!, points[2 * q + 1]! - mean[1]!);
      });
    }
    return out;
  };
}

const FOUR_APART: [number, number][] = [
  [0, 0],
  [10, 0],
  [0, 10],
  [10, 10],
];

function episodes(
  data: ReturnType<typeof clusters>,
  polarity: Polarity,
  seed: number,
  options: { classes?: number[]; supportedWays?: number; episodes?: number } = {},
): OpenSetQueries {
  return openSetEpisodes({
    labels: data.labels,
    classes: options.classes ?? [0, 1, 2, 3],
    supportedWays: options.supportedWays ?? 2,
    shots: 5,
    queriesPerClass: 5,
    episodes: options.episodes ?? 200,
    rng: createRng(seed),
    measure: measureOf(data.points, polarity),
    polarity,
  });
}

describe('cuts per support count', () => {
  const cuts = [
    { shots: 5, threshold: 0.7 },
    { shots: 1, threshold: 0.9 },
    { shots: 2, threshold: 0.8 },
  ];

  it("takes the cut of the largest calibrated count up to a label's supports, the smallest below them all", () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => cutForSupports(cuts, n))).toEqual([
      0.9, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7,
    ]);
    expect(cutForSupports([{ shots: 3, threshold: 0.5 }], 1)).toBe(0.5);
    expect(() => cutForSupports([], 1)).toThrow(/no cuts/);
  });

  it('chooses each count its own cut on hand-made scores: closer prototypes at five shots, a higher cut', () => {
    // The same queries' best scores at one and at five supports: five supports move every score up by 0.2.
    const at = (shift: number): OpenSetQueries => ({
      scores: Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4].map((v) => v + shift)),
      supported: Uint8Array.from([1, 1, 1, 0, 0, 0]),
      correct: Uint8Array.from([1, 1, 1, 0, 0, 0]),
    });
    const [one, five] = [at(0), at(0.2)].map((q) => calibrateOpenSet(q, 'higher-is-same'));
    expect(one!.threshold).toBeCloseTo(0.65, 10);
    expect(five!.threshold).toBeCloseTo(0.85, 10);
    // The 5-shot cut at one shot calls two of three supported queries unknown; the 1-shot cut none.
    expect(openSetRates(at(0), five!.threshold, 'higher-is-same').supportedUnknown).toBeCloseTo(2 / 3, 10);
    expect(openSetRates(at(0), one!.threshold, 'higher-is-same').supportedUnknown).toBe(0);
  });

  it('chooses a cut for a precision target on a hand-made score list, worked out by hand', () => {
    // Best scores, most similar first; s = supported, c = its best label right. Known above the cut.
    //   0.95 s c | 0.90 s c | 0.85 - - | 0.80 s c | 0.70 s - | 0.60 - - | 0.50 s c
    const queries: OpenSetQueries = {
      scores: Float64Array.from([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5]),
      supported: Uint8Array.from([1, 1, 0, 1, 1, 0, 1]),
      correct: Uint8Array.from([1, 1, 0, 1, 0, 0, 1]),
    };
    // Precision (right / known) and recall (right / 5 supported) as the cut loosens, one query at a time:
    // 1/1 1/5, 2/2 2/5, 2/3 2/5, 3/4 3/5, 3/5 3/5, 3/6 3/5, 4/7 4/5.
    const at = (min: number) => calibrateOpenSet(queries, 'higher-is-same', { kind: 'precision', min });
    expect(at(1).threshold).toBeCloseTo(0.875, 10); // between 0.90 and 0.85: the most recall at precision 1
    expect(at(1).rates).toMatchObject({ precision: 1, recall: 0.4 });
    expect(at(0.75).threshold).toBeCloseTo(0.75, 10); // 3 of 4 right: recall 0.6
    expect(at(0.75).rates).toMatchObject({ precision: 0.75, recall: 0.6, unsupportedUnknown: 0.5 });
    // At 0.5 every cut qualifies, down to the loosest (4 of 7 right): recall 0.8.
    expect(at(0.5).threshold).toBeLessThan(0.5);
    expect(at(0.5).rates).toMatchObject({ precision: 4 / 7, recall: 0.8, unsupportedUnknown: 0 });
    // A target above 1 is refused.
    expect(() => at(1.01)).toThrow(/precision target must be from 0 to 1/);
    // Best F1: 2PR / (P + R) peaks at 2/3 (at 3/4 and 3/5, and again at 4/7 and 4/5).
    expect(calibrateOpenSet(queries, 'higher-is-same').rates.f1).toBeCloseTo(2 / 3, 10);
  });

  it('thins a sweep to evenly spaced points, keeping the strictest and the loosest cut', () => {
    const point = (threshold: number) => ({
      threshold,
      supportedUnknown: 0,
      unsupportedUnknown: 0,
      precision: 1,
      recall: 1,
      f1: 1,
    });
    const sweep = Array.from({ length: 101 }, (_, i) => point(1 - i / 100));
    const thin = thinSweep(sweep, 5);
    expect(thin.map((p) => p.threshold)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(thinSweep(sweep.slice(0, 3), 5)).toHaveLength(3);
    expect(() => thinSweep(sweep, 1)).toThrow(/at least 2/);
  });
});

describe('open-set calibration', () => {
  it('separates far-apart clusters perfectly: AUROC 1 and a cut between them', () => {
    const data = clusters(FOUR_APART, 40, 0.5);
    const queries = episodes(data, 'lower-is-same', 3);
    expect(queries.scores).toHaveLength(200 * 4 * 5);
    const calibration = calibrateOpenSet(queries, 'lower-is-same');
    expect(calibration.auroc).toBe(1);
    // Supported queries lie within ~1.4 of their supports' mean, unsupported ones at least ~8 from any.
    let closestWithout = Number.POSITIVE_INFINITY;
    let farthestWith = 0;
    queries.scores.forEach((score, i) => {
      if (queries.supported[i]) farthestWith = Math.max(farthestWith, score);
      else closestWithout = Math.min(closestWithout, score);
    });
    expect(farthestWith).toBeLessThan(closestWithout);
    expect(calibration.threshold).toBeGreaterThan(farthestWith);
    expect(calibration.threshold).toBeLessThan(closestWithout);
    expect(calibration.rates).toEqual({
      supportedUnknown: 0,
      unsupportedUnknown: 1,
      precision: 1,
      recall: 1,
      f1: 1,
    });
    expect(calibration.met).toBe(true);
  });

  it('gives AUROC near 0.5 when every class is drawn from the same cloud', () => {
    const data = clusters(
      FOUR_APART.map(() => [0, 0]),
      60,
      3,
    );
    const queries = episodes(data, 'lower-is-same', 4, { episodes: 500 });
    const auroc = openSetAuroc(queries, 'lower-is-same');
    expect(Math.abs(auroc - 0.5)).toBeLessThan(0.04);
  });

  it('chooses the cut of most recall whose precision reaches the target, and the rates hold there', () => {
    // Overlapping clusters: no cut is perfect, so the target decides.
    const data = clusters(FOUR_APART, 60, 5);
    const queries = episodes(data, 'lower-is-same', 5, { episodes: 400 });
    const strict = calibrateOpenSet(queries, 'lower-is-same', { kind: 'precision', min: 0.95 });
    expect(strict.met).toBe(true);
    expect(strict.rates.precision).toBeGreaterThanOrEqual(0.95);
    expect(strict.rates.recall).toBeGreaterThan(0.3);
    for (const point of strict.sweep)
      if (point.precision >= 0.95) expect(point.recall).toBeLessThanOrEqual(strict.rates.recall);
    // The rates at the stored cut, recounted as the matcher decides (predictsSame), are the calibration's.
    expect(openSetRates(queries, strict.threshold, 'lower-is-same')).toEqual(strict.rates);
    // Best F1 is looser than the precision target, and is the maximum of the sweep.
    const f1 = calibrateOpenSet(queries, 'lower-is-same');
    expect(f1.rates.f1).toBe(Math.max(...f1.sweep.map((p) => p.f1)));
    expect(f1.rates.recall).toBeGreaterThan(strict.rates.recall);
    expect(f1.rates.precision).toBeLessThan(0.95);
    expect(f1.auroc).toBeGreaterThan(0.6);
    expect(f1.auroc).toBeLessThan(0.99);
    // Strictest first: recall never falls along the sweep.
    for (let i = 1; i < f1.sweep.length; i++)
      expect(f1.sweep[i]!.recall).toBeGreaterThanOrEqual(f1.sweep[i - 1]!.recall);
  });

  it('says when no cut reaches the target, and takes the most precise one', () => {
    const data = clusters(
      FOUR_APART.map(() => [0, 0]),
      60,
      3,
    );
    const queries = episodes(data, 'lower-is-same', 6);
    const calibration = calibrateOpenSet(queries, 'lower-is-same', { kind: 'precision', min: 0.999 });
    expect(calibration.met).toBe(false);
    expect(calibration.rates.precision).toBe(Math.max(...calibration.sweep.map((p) => p.precision)));
  });

  it('works the same on either polarity: the cut mirrors, the rates do not change', () => {
    const data = clusters(FOUR_APART, 60, 7);
    const lower = calibrateOpenSet(episodes(data, 'lower-is-same', 7), 'lower-is-same');
    const higher = calibrateOpenSet(episodes(data, 'higher-is-same', 7), 'higher-is-same');
    expect(higher.threshold).toBeCloseTo(-lower.threshold, 5);
    expect(higher.rates).toEqual(lower.rates);
    expect(higher.auroc).toBeCloseTo(lower.auroc, 12);
  });

  it('is deterministic under a seed, and takes the supported classes in turn', () => {
    const data = clusters(FOUR_APART, 30, 4);
    const a = episodes(data, 'lower-is-same', 8, { classes: [1, 2], supportedWays: 1, episodes: 50 });
    const b = episodes(data, 'lower-is-same', 8, { classes: [1, 2], supportedWays: 1, episodes: 50 });
    const c = episodes(data, 'lower-is-same', 9, { classes: [1, 2], supportedWays: 1, episodes: 50 });
    expect(b).toEqual(a);
    expect(c.scores).not.toEqual(a.scores);
    // Two classes, one supported: each gets supports in half the episodes, so half the queries are supported.
    expect(a.supported.reduce((s, x) => s + x, 0)).toBe(50 * 5);
    // A lone supported class is always the best label: its queries are right whenever they are known.
    a.supported.forEach((s, i) => {
      expect(a.correct[i]).toBe(s);
    });
  });

  it('refuses episodes without unsupported classes, and classes too small for an episode', () => {
    const data = clusters(FOUR_APART, 8, 1);
    expect(() => episodes(data, 'lower-is-same', 1, { supportedWays: 4 })).toThrow(
      /supportedWays must be from 1 to 3/,
    );
    expect(() => episodes(data, 'lower-is-same', 1)).toThrow(/class 0 has 8 images; an episode needs 10/);
    const none: OpenSetQueries = {
      scores: Float64Array.of(1, 2),
      supported: Uint8Array.of(1, 1),
      correct: Uint8Array.of(1, 0),
    };
    expect(() => calibrateOpenSet(none, 'lower-is-same')).toThrow(
      /classes with supports and of classes without/,
    );
  });
});
