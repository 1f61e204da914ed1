import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Split, selectClasses, subset, validationSplit } from '../src/index.ts';
import { sameBytes } from './helpers.ts';

/** Image i is filled with i (mod 256); labels cycle through a skewed class distribution. */
function fakeSplit(count: number): Split {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images.fill(i % 256, i * 784, (i + 1) * 784);
    labels[i] = (i * 7) % 13 < 10 ? (i * 7) % 13 : 0;
  }
  return { images, labels, count, rows: 28, cols: 28 };
}

/** Identifies examples by their pixel value (unique for count <= 256). */
const ids = (split: Split) => Array.from({ length: split.count }, (_, i) => split.images[i * 784]!);

describe('validationSplit', () => {
  const split = fakeSplit(200);

  it('is deterministic for a seed and differs across seeds', () => {
    const a = validationSplit(split, 0.2, 7);
    const b = validationSplit(split, 0.2, 7);
    expect(ids(a.validation)).toEqual(ids(b.validation));
    expect(sameBytes(a.train.images, b.train.images)).toBe(true);
    expect(ids(validationSplit(split, 0.2, 8).validation)).not.toEqual(ids(a.validation));
  });

  it('makes the same split as before the PRNG moved to random.ts (digests pinned from the old code)', () => {
    const digest = (n: number, fraction: number, seed: number) => {
      const { train, validation } = validationSplit(fakeSplit(n), fraction, seed);
      const hash = createHash('sha256');
      for (const part of [train.images, train.labels, validation.images, validation.labels])
        hash.update(part);
      return hash.digest('hex');
    };
    expect(digest(200, 0.2, 7)).toBe('ab7930e536f7bef7282d1a367355b232071aa69f1c28e9f7392766893e0e303b');
    expect(digest(1000, 0.1, 2024)).toBe('8360e10521aa2f01ac4aad0cb8bf175f9ba4e1d275566010cd635c70f6f5e6bf');
  });

  it('partitions the examples: disjoint, complete, exact size, in original order', () => {
    const { train, validation } = validationSplit(split, 0.2, 1);
    expect(validation.count).toBe(40);
    expect(train.count).toBe(160);
    const t = ids(train);
    const v = ids(validation);
    expect(t.filter((id) => v.includes(id))).toEqual([]);
    expect([...t, ...v].sort((x, y) => x - y)).toEqual(ids(split));
    expect(v).toEqual([...v].sort((x, y) => x - y));
    // Labels travel with their images.
    expect([...validation.labels]).toEqual(v.map((id) => split.labels[id]));
  });

  it('is stratified: each class contributes its share', () => {
    const { validation } = validationSplit(split, 0.25, 3);
    for (let c = 0; c < 10; c++) {
      const total = split.labels.filter((l) => l === c).length;
      const held = validation.labels.filter((l) => l === c).length;
      expect(Math.abs(held - total * 0.25)).toBeLessThan(1);
    }
  });

  it('copies instead of aliasing the input', () => {
    const { train } = validationSplit(split, 0.5, 1);
    expect(train.images.buffer).not.toBe(split.images.buffer);
  });

  it('rejects fractions outside (0, 1), non-integer seeds and empty results', () => {
    expect(() => validationSplit(split, 0, 1)).toThrow(RangeError);
    expect(() => validationSplit(split, 1, 1)).toThrow(RangeError);
    expect(() => validationSplit(split, Number.NaN, 1)).toThrow(RangeError);
    expect(() => validationSplit(split, 0.5, 1.5)).toThrow(RangeError);
    expect(() => validationSplit(fakeSplit(3), 0.1, 1)).toThrow(/empty/);
  });
});

describe('subset / selectClasses', () => {
  const split = fakeSplit(30);

  it('subset copies the given indices in order', () => {
    const s = subset(split, [5, 2, 5]);
    expect(ids(s)).toEqual([5, 2, 5]);
    expect([...s.labels]).toEqual([split.labels[5], split.labels[2], split.labels[5]]);
    expect(() => subset(split, [30])).toThrow(RangeError);
  });

  it('selectClasses keeps only the requested labels', () => {
    const s = selectClasses(split, [1, 3]);
    expect(s.count).toBe(split.labels.filter((l) => l === 1 || l === 3).length);
    expect(s.labels.every((l) => l === 1 || l === 3)).toBe(true);
  });
});
