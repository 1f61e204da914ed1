import { describe, expect, it } from 'vitest';
import { createRng } from '../src/random.ts';
import { indexByClass, samplePairs } from '../src/train/pairs.ts';

// 10 classes with uneven sizes, like a real split.
const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + Math.floor(i / 13)) % 10);

describe('samplePairs', () => {
  it('is balanced and labels pairs truthfully (1 = same class)', () => {
    const pairs = samplePairs(indexByClass(labels), 2000, createRng(1));
    let positives = 0;
    for (let i = 0; i < pairs.count; i++) {
      const sameClass = labels[pairs.a[i]!] === labels[pairs.b[i]!];
      expect(pairs.same[i]).toBe(sameClass ? 1 : 0);
      if (pairs.same[i] === 1) {
        positives++;
        expect(pairs.a[i]).not.toBe(pairs.b[i]);
      }
    }
    expect(positives).toBe(1000);
  });

  it('spreads negatives evenly over the other classes', () => {
    const pairs = samplePairs(indexByClass(labels), 9000, createRng(2));
    const counts = new Map<string, number>();
    for (let i = 0; i < pairs.count; i++) {
      if (pairs.same[i] === 1) continue;
      const key = `${labels[pairs.a[i]!]}-${labels[pairs.b[i]!]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // 4500 negatives over 10 × 9 ordered class pairs: exactly 50 each.
    expect(counts.size).toBe(90);
    for (const n of counts.values()) expect(n).toBe(50);
  });

  it('is reproducible for a seed and re-drawn by the next call', () => {
    const index = indexByClass(labels);
    const first = samplePairs(index, 200, createRng(7));
    const again = samplePairs(index, 200, createRng(7));
    expect(Array.from(again.a)).toEqual(Array.from(first.a));
    const rng = createRng(7);
    const epoch1 = samplePairs(index, 200, rng);
    const epoch2 = samplePairs(index, 200, rng);
    expect(Array.from(epoch2.a)).not.toEqual(Array.from(epoch1.a));
  });

  it('uses only the allowed classes when some are held out', () => {
    const kept = [0, 1, 2, 3, 4, 5, 6];
    const pairs = samplePairs(indexByClass(labels, kept), 1000, createRng(3));
    for (let i = 0; i < pairs.count; i++) {
      expect(kept).toContain(labels[pairs.a[i]!]);
      expect(kept).toContain(labels[pairs.b[i]!]);
    }
  });

  it('rejects classes too small to pair and bad counts', () => {
    expect(() => indexByClass(Uint8Array.from([0, 0, 1]))).toThrow(/class 1 has 1 example/);
    expect(() => samplePairs(indexByClass(labels), 1.5, createRng(1))).toThrow(/pair count/);
  });
});
