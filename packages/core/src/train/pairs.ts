import type { Rng } from '../random.ts';
import { shuffleInPlace } from '../random.ts';

/** 1 = both images show the same class, 0 = different classes. Used everywhere in twinnet. */
export type SameLabel = 0 | 1;

/** Pairs of indices into one split's images, with `same[i] === 1` when a[i] and b[i] share a class. */
export interface Pairs {
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** 1 = same class, 0 = different class. */
  readonly same: Uint8Array;
  readonly count: number;
}

/** Indices of each class's examples, built once per split and reused by every epoch's sampling. */
export interface ClassIndex {
  readonly classes: readonly number[];
  readonly byClass: ReadonlyMap<number, Int32Array>;
}

export function indexByClass(labels: Uint8Array, classes?: readonly number[]): ClassIndex {
  const wanted = classes ?? [...new Set(labels)].sort((x, y) => x - y);
  const counts = new Map<number, number>(wanted.map((c) => [c, 0]));
  for (const label of labels) {
    const n = counts.get(label);
    if (n !== undefined) counts.set(label, n + 1);
  }
  const byClass = new Map<number, Int32Array>();
  for (const c of wanted) {
    const n = counts.get(c) ?? 0;
    if (n < 2) throw new Error(`class ${c} has ${n} example(s); pairs need at least 2 per class`);
    byClass.set(c, new Int32Array(n));
  }
  const fill = new Map<number, number>(wanted.map((c) => [c, 0]));
  labels.forEach((label, i) => {
    const list = byClass.get(label);
    if (list) {
      const at = fill.get(label)!;
      list[at] = i;
      fill.set(label, at + 1);
    }
  });
  if (wanted.length < 2) throw new Error(`pairs need at least 2 classes, got ${wanted.length}`);
  return { classes: wanted, byClass };
}

/**
 * Balanced pairs: half positive, half negative. Anchor classes cycle through `index.classes` so every class
 * anchors equally often, and each anchor's negatives cycle through all other classes, so negatives are spread
 * evenly over class pairs. Call it again with the same rng for the next epoch's fresh draw.
 */
export function samplePairs(index: ClassIndex, count: number, rng: Rng): Pairs {
  if (!Number.isInteger(count) || count < 2)
    throw new Error(`pair count must be an integer >= 2, got ${count}`);
  const { classes, byClass } = index;
  const c = classes.length;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const same = new Uint8Array(count);
  const pick = (cls: number): number => {
    const list = byClass.get(cls)!;
    return list[rng.int(list.length)]!;
  };
  const positives = Math.ceil(count / 2);
  for (let i = 0; i < positives; i++) {
    const list = byClass.get(classes[i % c]!)!;
    const first = rng.int(list.length);
    // Draw the partner from the other n-1 examples so a positive pair never repeats one image.
    const second = (first + 1 + rng.int(list.length - 1)) % list.length;
    a[i] = list[first]!;
    b[i] = list[second]!;
    same[i] = 1;
  }
  for (let j = 0; j < count - positives; j++) {
    const i = positives + j;
    const anchor = j % c;
    const offset = 1 + (Math.floor(j / c) % (c - 1));
    a[i] = pick(classes[anchor]!);
    b[i] = pick(classes[(anchor + offset) % c]!);
    same[i] = 0;
  }
  // Shuffle pair order (not pair content) so batches mix positives, negatives and classes.
  const order = shuffleInPlace(
    Int32Array.from({ length: count }, (_, i) => i),
    rng,
  );
  return permutePairs({ a, b, same, count }, order);
}

function permutePairs(pairs: Pairs, order: Int32Array): Pairs {
  const a = new Int32Array(pairs.count);
  const b = new Int32Array(pairs.count);
  const same = new Uint8Array(pairs.count);
  order.forEach((from, to) => {
    a[to] = pairs.a[from]!;
    b[to] = pairs.b[from]!;
    same[to] = pairs.same[from]!;
  });
  return { a, b, same, count: pairs.count };
}

/** The slice [start, end) of a pair set, as views (no copy). */
export function slicePairs(pairs: Pairs, start: number, end: number): Pairs {
  const stop = Math.min(end, pairs.count);
  return {
    a: pairs.a.subarray(start, stop),
    b: pairs.b.subarray(start, stop),
    same: pairs.same.subarray(start, stop),
    count: Math.max(0, stop - start),
  };
}
