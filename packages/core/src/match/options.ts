// The rules for the matcher's numeric options and labels, written once: the API checks them, and the CLIs check
// their flags with the same functions (only the name in the message differs).
import type { NumberRange } from '../ranges.ts';

export const MATCH_RANGES = {
  /** Labels ranked per query. */
  k: { min: 1, max: 1000, integer: true },
  /** Distance-head runs: a Euclidean distance between embeddings. */
  distanceThreshold: { min: 0, max: 1e6, minExclusive: true },
  /** MLP-head runs: a threshold on the head's score (a logit). */
  scoreThreshold: { min: -1e6, max: 1e6 },
  /** Cosine-head runs: a cosine similarity. */
  similarityThreshold: { min: -1, max: 1 },
} as const satisfies Record<string, NumberRange>;

export const UNKNOWN = 'unknown';

/** Why a label cannot be used, or undefined when it can. */
export function labelProblem(label: unknown): string | undefined {
  if (typeof label !== 'string' || label.trim() === '') return 'a label must be a non-empty string';
  // Any case: 'UNKNOWN' in a table or a JSON consumer comparing case-insensitively would read as no match.
  if (label.trim().toLowerCase() === UNKNOWN)
    return `'${label}' is reserved (in any case) for queries that match no label`;
  return undefined;
}

export function checkLabel(label: unknown): asserts label is string {
  const problem = labelProblem(label);
  if (problem) throw new Error(problem);
}
