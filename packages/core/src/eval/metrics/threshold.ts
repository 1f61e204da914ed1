import type { Polarity } from '../../model/heads/index.ts';

/** Does this score say "same class" at this threshold? Distances match below it, logits above it. */
export function predictsSame(score: number, threshold: number, polarity: Polarity): boolean {
  return polarity === 'lower-is-same' ? score < threshold : score > threshold;
}

/**
 * Pairs whose prediction at `threshold` equals the truth (1 = same class). Unchecked, for training steps: a NaN
 * score counts as wrong there, and the step's non-finite loss stops the run with its own message.
 */
export function countCorrect(
  scores: ArrayLike<number>,
  same: ArrayLike<number>,
  threshold: number,
  polarity: Polarity,
): number {
  let correct = 0;
  for (let i = 0; i < scores.length; i++) {
    if (predictsSame(scores[i]!, threshold, polarity) === (same[i] === 1)) correct++;
  }
  return correct;
}

/** Fraction of pairs whose prediction at `threshold` equals the truth (1 = same class). */
export function pairAccuracy(
  scores: ArrayLike<number>,
  same: ArrayLike<number>,
  threshold: number,
  polarity: Polarity,
): number {
  checkLengths(scores, same);
  return countCorrect(scores, same, threshold, polarity) / scores.length;
}

export interface ThresholdChoice {
  threshold: number;
  accuracy: number;
}

/**
 * The threshold that maximises pair accuracy on the given (validation) pairs: one sweep over the sorted
 * scores, trying the midpoint between each pair of neighbouring distinct scores.
 */
export function chooseThreshold(
  scores: ArrayLike<number>,
  same: ArrayLike<number>,
  polarity: Polarity,
): ThresholdChoice {
  checkLengths(scores, same);
  const n = scores.length;
  // Work in "similarity" (higher = same) so one sweep serves both polarities.
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => sign * scores[i]! - sign * scores[j]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += same[i] === 1 ? 1 : 0;
  // Start with every pair predicted "same": correct = positives. Moving the cut past a score flips that pair.
  let correct = positives;
  let best = correct;
  let bestAt = -1;
  for (let k = 0; k < n; k++) {
    correct += same[order[k]!] === 1 ? -1 : 1;
    const here = sign * scores[order[k]!]!;
    const next = k + 1 < n ? sign * scores[order[k + 1]!]! : Number.POSITIVE_INFINITY;
    if (here !== next && correct > best) {
      best = correct;
      bestAt = k;
    }
  }
  const lowest = sign * scores[order[0]!]!;
  const cut =
    bestAt < 0
      ? lowest - 1
      : bestAt + 1 < n
        ? (sign * scores[order[bestAt]!]! + sign * scores[order[bestAt + 1]!]!) / 2
        : sign * scores[order[bestAt]!]! + 1;
  return { threshold: sign * cut, accuracy: best / n };
}

export function checkLengths(scores: ArrayLike<number>, same: ArrayLike<number>): void {
  if (scores.length !== same.length) {
    throw new Error(`scores (${scores.length}) and labels (${same.length}) differ in length`);
  }
  if (scores.length === 0) throw new Error('no pairs to score');
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new Error(`score ${i} is ${scores[i]}; scores must be finite`);
  }
}
