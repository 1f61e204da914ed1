/**
 * Leave-one-out nearest-neighbour accuracy (precision@1) in embedding space: the fraction of points whose
 * nearest other point (Euclidean) shares their label.
 */
export function precisionAt1(embeddings: Float32Array, labels: ArrayLike<number>, dim: number): number {
  const n = labels.length;
  if (embeddings.length !== n * dim)
    throw new Error(`embeddings hold ${embeddings.length} floats, expected ${n}×${dim}`);
  if (n < 2) throw new Error('precision@1 needs at least 2 points');
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    let bestJ = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const diff = embeddings[i * dim + k]! - embeddings[j * dim + k]!;
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        bestJ = j;
      }
    }
    if (labels[bestJ] === labels[i]) hits++;
  }
  return hits / n;
}
