import { describe, expect, it } from 'vitest';
import {
  consecutiveGroups,
  type GroupScorer,
  groupValues,
  meanDirection,
  meanRow,
} from '../src/match/prototypes.ts';
import { cosineScorer, distanceScorer, headScorer } from '../src/match/scores.ts';

describe('nearest prototype', () => {
  it('averages rows, or their directions for cosine', () => {
    const rows = Float32Array.of(2, 0, 0, 4);
    expect(Array.from(meanRow(rows, 2, 2))).toEqual([1, 2]);
    // Lengths 2 and 4 count alike once normalised.
    expect(Array.from(meanDirection(rows, 2, 2))).toEqual([0.5, 0.5]);
  });

  it('compares queries with each group’s prototype where the measure has one, else averages the values', () => {
    // 1-D points; "distance" |q − s| with a mean-point prototype, and the same without one.
    const matrix = (q: Float32Array, s: Float32Array) =>
      Float32Array.from({ length: q.length * s.length }, (_, k) =>
        Math.abs(q[Math.floor(k / s.length)]! - s[k % s.length]!),
      );
    const withPrototype: GroupScorer = { matrix, prototype: meanRow };
    const supports = Float32Array.of(0, 4, 10);
    const groups = [[0, 1], [2]];
    // Query 3: prototype of {0, 4} is 2 (distance 1); the mean distance to 0 and 4 is 2.
    expect(Array.from(groupValues(withPrototype, Float32Array.of(3), supports, groups, 1))).toEqual([1, 7]);
    expect(Array.from(groupValues({ matrix }, Float32Array.of(3), supports, groups, 1))).toEqual([2, 7]);
    expect(consecutiveGroups(6, 3)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('gives embeddings’ measures prototypes and a head none', () => {
    expect(distanceScorer.prototype).toBe(meanRow);
    expect(cosineScorer.prototype).toBe(meanDirection);
    expect(headScorer).toBeTypeOf('function');
  });
});
