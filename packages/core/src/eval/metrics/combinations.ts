/**
 * Every k-subset of [0, n) in lexicographic order, or undefined when there are more than `limit`: the open-set
 * episodes take supported classes in turn from it, and transfer sweeps score every triplet of classes.
 */
export function combinations(n: number, k: number, limit: number): number[][] | undefined {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0)
    throw new RangeError(`combinations: n and k must be integers of at least 0, got n = ${n}, k = ${k}`);
  let count = 1;
  for (let i = 0; i < k; i++) {
    count = (count * (n - i)) / (i + 1);
    if (count > limit) return undefined;
  }
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      out.push(chosen);
      return;
    }
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}
