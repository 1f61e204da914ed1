/**
 * How far a ROC AUC may stray from 0.5 by chance alone: three standard errors of the AUC of scores that do not
 * tell the two kinds apart (the Mann–Whitney statistic's null variance, (n₊ + n₋ + 1) / (12 n₊ n₋)). A run whose
 * test AUC lies within it has learned nothing the test pairs can show.
 */
export function chanceAucNoise(positives: number, negatives: number): number {
  if (!(positives >= 1 && negatives >= 1))
    throw new Error(`chance noise needs pairs of both kinds, got ${positives} and ${negatives}`);
  return 3 * Math.sqrt((positives + negatives + 1) / (12 * positives * negatives));
}

/** Whether `auc` on that many same and different pairs is indistinguishable from a coin's. */
export function aucAtChance(auc: number, positives: number, negatives: number): boolean {
  return Math.abs(auc - 0.5) <= chanceAucNoise(positives, negatives);
}
