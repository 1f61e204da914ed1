import { describe, expect, it } from 'vitest';
import { combinations } from '../src/eval/metrics/combinations.ts';

describe('combinations', () => {
  it('lists every k-subset of [0, n) once, in lexicographic order', () => {
    expect(combinations(4, 2, 100)).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    const seven = combinations(7, 3, Number.POSITIVE_INFINITY)!;
    expect(seven).toHaveLength(35);
    expect(new Set(seven.map((s) => s.join())).size).toBe(35);
    expect(seven.every((s) => s[0]! < s[1]! && s[1]! < s[2]!)).toBe(true);
  });

  it('gives the empty subset for k = 0 and none for k > n', () => {
    expect(combinations(3, 0, 10)).toEqual([[]]);
    expect(combinations(2, 3, 10)).toEqual([]);
  });

  it('answers undefined past the limit, without listing them', () => {
    expect(combinations(10, 5, 251)).toBeUndefined();
    expect(combinations(10, 5, 252)).toHaveLength(252);
  });

  it('refuses a negative or fractional n or k rather than recursing without end', () => {
    expect(() => combinations(3, -1, 10)).toThrow(
      /n and k must be integers of at least 0, got n = 3, k = -1/,
    );
    expect(() => combinations(-2, 1, 10)).toThrow(/got n = -2, k = 1/);
    expect(() => combinations(3, 1.5, 10)).toThrow(RangeError);
    expect(() => combinations(Number.NaN, 1, 10)).toThrow(RangeError);
  });
});
