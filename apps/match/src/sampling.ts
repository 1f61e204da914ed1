import { createRng, shuffleInPlace } from '@twinnet/core';
import { type Split, subset } from '@twinnet/datasets';

/**
 * `shots` images of each class drawn with a seed from a split (for supports: the training split, whose
 * held-out classes the model never saw). Returns each class's images as one n × 784 array.
 */
export function drawSupports(
  split: Split,
  classes: readonly number[],
  shots: number,
  seed: number,
): Map<number, Uint8Array> {
  const rng = createRng(seed);
  const out = new Map<number, Uint8Array>();
  for (const c of classes) {
    const members: number[] = [];
    split.labels.forEach((label, i) => {
      if (label === c) members.push(i);
    });
    if (members.length < shots)
      throw new Error(`class ${c} has ${members.length} images, fewer than ${shots} shots`);
    shuffleInPlace(members, rng);
    out.set(c, subset(split, members.slice(0, shots)).images);
  }
  return out;
}

/** Up to `count` images of the split, drawn with a seed (all of them, shuffled, when count >= split.count). */
export function drawQueries(split: Split, count: number, seed: number): Split {
  const order = Array.from({ length: split.count }, (_, i) => i);
  shuffleInPlace(order, createRng(seed));
  return subset(split, order.slice(0, Math.min(count, split.count)));
}
