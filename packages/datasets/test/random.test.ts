import { describe, expect, it } from 'vitest';
import { createRng, range, shuffleInPlace } from '../src/random.ts';

describe('createRng', () => {
  it('reproduces mulberry32 exactly (the sequence pinned before core and datasets shared this module)', () => {
    const rng = createRng(42);
    expect(Array.from({ length: 4 }, () => rng.next())).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
    ]);
    const big = createRng(0xdeadbeef);
    expect([big.next(), big.next()]).toEqual([0.9413696140982211, 0.26719574979506433]);
  });

  it('is deterministic per seed and uniform-ish; int(n) stays in [0, n)', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    const ints = Array.from({ length: 1000 }, () => a.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});

describe('shuffleInPlace', () => {
  it('permutes arrays and typed arrays alike, in place, identically for one seed', () => {
    const plain = shuffleInPlace(range(50), createRng(3));
    const typed = new Uint32Array(range(50));
    expect(shuffleInPlace(typed, createRng(3))).toBe(typed);
    expect([...typed]).toEqual(plain);
    expect([...plain].sort((x, y) => x - y)).toEqual(range(50));
    expect(plain).not.toEqual(range(50));
  });
});

describe('range', () => {
  it('counts from 0', () => {
    expect(range(4)).toEqual([0, 1, 2, 3]);
    expect(range(0)).toEqual([]);
  });
});
