import { describe, expect, it } from 'vitest';
import { aggregate, type DrawResults, report, type Scores, scoreResults } from '../src/evaluate.ts';

/** A result whose best label is `label` at `value` on the measure, unknown as said. */
const result = (label: string, value: number, unknown: boolean, field = 'similarity') => ({
  label: unknown ? 'unknown' : label,
  unknown,
  ranked: [{ label, [field]: value }],
});

describe('match evaluate figures', () => {
  it('scores accuracy on supported classes, both unknown rates and the open-set AUROC', () => {
    const draw: DrawResults = {
      // Four queries of supported classes: three ranked right, one of those called unknown.
      supported: [
        result('7', 0.9, false),
        result('8', 0.8, false),
        result('9', 0.3, true),
        result('8', 0.7, false),
      ],
      truth: ['7', '8', '9', '9'],
      // Trained classes without supports: both below every supported score but one.
      trained: [result('7', 0.2, true), result('8', 0.5, false)],
      // Never-seen classes without supports: one scores above two supported queries.
      neverSeen: [result('9', 0.1, true), result('7', 0.75, false), result('7', 0.25, true)],
    };
    const scores = scoreResults(draw, 'similarity', 2);
    expect(scores).toEqual({
      closedAccuracy: 0.75,
      openAccuracy: 0.5,
      unseenUnknown: 0.25,
      seenUnknown: 0.5,
      neverSeenUnknown: 2 / 3,
      // Pairs (supported, trained) ordered right: 0.9, 0.8, 0.7 beat both; 0.3 beats 0.2 only: 7 of 8.
      auroc: 7 / 8,
      // (supported, never seen): 0.9, 0.8 beat all three; 0.7 beats two; 0.3 beats two: 10 of 12.
      aurocNeverSeen: 10 / 12,
      queriesPerSecond: 9 / 2,
    });
    // Distances: lower is closer, so the same values read the other way round.
    const asDistance = (r: ReturnType<typeof result>) => ({
      ...r,
      ranked: [{ label: r.ranked[0]!.label, distance: 1 - (r.ranked[0]!.similarity as number) }],
    });
    const distances = scoreResults(
      {
        ...draw,
        supported: draw.supported.map((r) => asDistance(r as ReturnType<typeof result>)),
        trained: draw.trained.map((r) => asDistance(r as ReturnType<typeof result>)),
        neverSeen: null,
      },
      'distance',
      1,
    );
    expect(distances.auroc).toBe(7 / 8);
    expect(distances.neverSeenUnknown).toBeNull();
    expect(distances.aurocNeverSeen).toBeNull();
  });

  it('averages over draws, keeps null where a run has no never-seen queries, and prints both kinds', () => {
    const base: Scores = {
      closedAccuracy: 0.8,
      openAccuracy: 0.7,
      unseenUnknown: 0.1,
      seenUnknown: 0.9,
      neverSeenUnknown: null,
      auroc: 0.9,
      aurocNeverSeen: null,
      queriesPerSecond: 1000,
    };
    const runs = [base, { ...base, closedAccuracy: 0.6, auroc: 0.8 }];
    const mean = aggregate(runs, (xs) => xs.reduce((s, x) => s + x, 0) / xs.length);
    expect(mean.closedAccuracy).toBeCloseTo(0.7, 12);
    expect(mean.auroc).toBeCloseTo(0.85, 12);
    expect(mean.neverSeenUnknown).toBeNull();
    const summary = { shots: 5, ways: 3, trials: 2, mean, sd: mean, cli: null };
    const old = report('old-run', [summary]);
    expect(old).toMatch(/AUROC vs trained/);
    expect(old).not.toMatch(/never seen/);
    expect(old.split('\n')[1]).toMatch(/library 3-way 5-shot +70\.0% .*0\.850/);
    const withValidation = { ...mean, neverSeenUnknown: 0.85, aurocNeverSeen: 0.93 };
    const text = report('new-run', [{ ...summary, mean: withValidation, sd: withValidation }]);
    expect(text).toMatch(/never seen, no supports→unknown/);
    expect(text.split('\n')[1]).toMatch(/85\.0% ±85\.0 .*0\.850 +0\.930/);
  });
});
