import type { Polarity } from '../../model/heads/index.ts';
import { checkLengths } from './threshold.ts';

/**
 * Area under the ROC curve: the probability that a random same-class pair scores as more similar than a
 * random different-class pair, ties counting half (Mann–Whitney U over average ranks).
 */
export function rocAuc(scores: ArrayLike<number>, same: ArrayLike<number>, polarity: Polarity): number {
  checkLengths(scores, same);
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => sign * scores[i]! - sign * scores[j]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (same[order[k]!] === 1) {
        rankSumPositive += averageRank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new Error('ROC AUC needs both same and different pairs');
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  /** False positive rate: different pairs predicted same. */
  fpr: number;
  /** True positive rate: same pairs predicted same. */
  tpr: number;
  threshold: number;
}

/** The ROC curve, thinned to at most `maxPoints` points for plotting. */
export function rocCurve(
  scores: ArrayLike<number>,
  same: ArrayLike<number>,
  polarity: Polarity,
  maxPoints = 200,
): RocPoint[] {
  checkLengths(scores, same);
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  const n = scores.length;
  // Most similar first: lowering the cut admits pairs one by one.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => sign * scores[j]! - sign * scores[i]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += same[i] === 1 ? 1 : 0;
  const negatives = n - positives;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: sign * Number.MAX_VALUE }];
  let tp = 0;
  let fp = 0;
  const every = Math.max(1, Math.floor(n / maxPoints));
  for (let k = 0; k < n; k++) {
    if (same[order[k]!] === 1) tp++;
    else fp++;
    if (k === n - 1 || (k % every === 0 && scores[order[k]!] !== scores[order[k + 1]!])) {
      points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[order[k]!]! });
    }
  }
  return points;
}
