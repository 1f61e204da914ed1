// Nearest prototype: a label's supports stand as one row, their mean (Snell et al.'s prototypical networks; for
// cosine, the mean of the L2-normalised supports), which queries are compared with. Measures that compare pairs
// only (an MLP head) average their values over the supports instead. Shared by the matcher, the open-set
// calibration and the one-shot episodes, so all three rank labels the same way.

/** How a measure compares rows and, if it can, what row stands for a group. */
export interface GroupScorer {
  /** Values for every query × support pair, row-major: n × s. */
  matrix(queries: Float32Array, supports: Float32Array, dim: number): Float32Array;
  /**
   * One row standing for a label's supports (`count` rows of `dim`): its prototype, compared with queries by
   * `matrix`. Absent for a head, which compares pairs only: a label's value is then its supports' mean value.
   */
  prototype?(supports: Float32Array, count: number, dim: number): Float32Array;
}

/** The mean of `count` rows of `dim`. */
export function meanRow(rows: Float32Array, count: number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) out[j]! += rows[r * dim + j]! / count;
  return out;
}

/** The mean of `count` rows of `dim`, each L2-normalised first: the direction the supports share. */
export function meanDirection(rows: Float32Array, count: number, dim: number): Float32Array {
  const unit = new Float32Array(rows.length);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += rows[r * dim + j]! ** 2;
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < dim; j++) unit[r * dim + j] = rows[r * dim + j]! * scale;
  }
  return meanRow(unit, count, dim);
}

/**
 * Each query's value for each group of support rows, row-major n × groups: nearest prototype (the value
 * against the group's prototype) where the scorer has prototypes, else the mean over the group's supports.
 */
export function groupValues(
  scorer: GroupScorer,
  queries: Float32Array,
  supports: Float32Array,
  groups: readonly (readonly number[])[],
  dim: number,
): Float32Array {
  const n = queries.length / dim;
  if (scorer.prototype) {
    const prototypes = new Float32Array(groups.length * dim);
    groups.forEach((rows, g) => {
      const members = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => {
        members.set(supports.subarray(r * dim, (r + 1) * dim), i * dim);
      });
      prototypes.set(scorer.prototype!(members, rows.length, dim), g * dim);
    });
    return scorer.matrix(queries, prototypes, dim);
  }
  const s = supports.length / dim;
  const values = scorer.matrix(queries, supports, dim);
  const out = new Float32Array(n * groups.length);
  for (let q = 0; q < n; q++) {
    groups.forEach((rows, g) => {
      let sum = 0;
      for (const r of rows) sum += values[q * s + r]!;
      out[q * groups.length + g] = sum / rows.length;
    });
  }
  return out;
}

/** Groups of `shots` consecutive rows: the supports of an episode's ways, in order. */
export const consecutiveGroups = (rows: number, shots: number): number[][] =>
  Array.from({ length: rows / shots }, (_, g) => Array.from({ length: shots }, (_, s) => g * shots + s));

/** Rows of `embeddings` (n × dim, row-major) by index, copied into one array. */
export function gatherRows(embeddings: Float32Array, rows: ArrayLike<number>, dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++)
    out.set(embeddings.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), i * dim);
  return out;
}

/**
 * The scorer's values between rows of `embeddings`, by index, for each group of `shots` consecutive supports
 * (row-major queries × groups): what the episodes and the open-set calibration compare.
 */
export function groupValuesOnRows(
  scorer: GroupScorer,
  embeddings: Float32Array,
  dim: number,
): (queries: ArrayLike<number>, supports: ArrayLike<number>, shots: number) => Float32Array {
  return (queries, supports, shots) =>
    groupValues(
      scorer,
      gatherRows(embeddings, queries, dim),
      gatherRows(embeddings, supports, dim),
      consecutiveGroups(supports.length, shots),
      dim,
    );
}
