import { createRng, shuffleInPlace } from './random.ts';

/** One partition of a dataset: `count` row-major rows×cols images, one byte per pixel, and their labels. */
export type Split = {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** The dataset's spec.image size (28×28 for MNIST and Fashion-MNIST). */
  rows: number;
  cols: number;
};

/** Copies the examples at `indices` (in that order) into a new Split. */
export function subset(split: Split, indices: ArrayLike<number>): Split {
  const pixels = split.rows * split.cols;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= split.count) {
      throw new RangeError(`subset: index ${i} at position ${k} is outside 0..${split.count - 1}`);
    }
    images.set(split.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels[k] = split.labels[i]!;
  }
  return { images, labels, count: indices.length, rows: split.rows, cols: split.cols };
}

/** Keeps only examples whose label is in `classes`; labels are not renumbered. */
export function selectClasses(split: Split, classes: Iterable<number>): Split {
  const keep = new Set(classes);
  const indices: number[] = [];
  split.labels.forEach((label, i) => {
    if (keep.has(label)) indices.push(i);
  });
  return subset(split, indices);
}

/**
 * Seeded, stratified hold-out: every class contributes `fraction` of its examples to `validation`.
 * Per-class quotas use largest remainders so the validation size is exactly round(fraction * count).
 * Both outputs keep the original example order and are fresh copies.
 */
export function validationSplit(
  split: Split,
  fraction: number,
  seed: number,
): { train: Split; validation: Split } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`validationSplit: fraction must be in (0, 1), got ${fraction}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`validationSplit: seed must be an integer, got ${seed}`);
  const target = Math.round(fraction * split.count);
  if (target === 0 || target === split.count) {
    throw new RangeError(
      `validationSplit: fraction ${fraction} of ${split.count} examples leaves an empty train or validation set`,
    );
  }

  const byClass = new Map<number, number[]>();
  split.labels.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  // Sorted so the PRNG stream is consumed in the same order regardless of label order in the data.
  const groups = [...byClass.entries()].sort(([a], [b]) => a - b).map(([, members]) => members);

  const quotas = groups.map((members) => fraction * members.length);
  const take = quotas.map(Math.floor);
  let remaining = target - take.reduce((a, b) => a + b, 0);
  const byRemainder = quotas
    .map((quota, k) => ({ k, rest: quota - Math.floor(quota) }))
    .sort((a, b) => b.rest - a.rest || a.k - b.k);
  for (const { k } of byRemainder) {
    if (remaining-- <= 0) break;
    take[k]!++;
  }

  const rng = createRng(seed);
  const validation: number[] = [];
  const train: number[] = [];
  groups.forEach((members, k) => {
    const shuffled = shuffleInPlace(Uint32Array.from(members), rng);
    const cut = take[k]!;
    for (let j = 0; j < shuffled.length; j++) (j < cut ? validation : train).push(shuffled[j]!);
  });
  const ascending = (a: number, b: number) => a - b;
  return {
    train: subset(split, train.sort(ascending)),
    validation: subset(split, validation.sort(ascending)),
  };
}
