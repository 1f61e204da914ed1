// The rules for the matcher's numeric options and labels, written once: the API checks them, and the CLIs check
// their flags with the same functions (only the name in the message differs).

/** A documented range of accepted numbers. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is refused (a distance threshold of 0 would make every query unknown). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

export const MATCH_RANGES = {
  /** Labels ranked per query. */
  k: { min: 1, max: 1000, integer: true },
  /** Distance-head runs: a Euclidean distance between embeddings. */
  distanceThreshold: { min: 0, max: 1e6, minExclusive: true },
  /** MLP-head runs: a threshold on the head's score (a logit). */
  scoreThreshold: { min: -1e6, max: 1e6 },
} as const satisfies Record<string, NumberRange>;

/** "a whole number from 1 to 1000", "a number above 0 and at most 1000000". */
export function describeRange(range: NumberRange): string {
  const kind = range.integer ? 'a whole number' : 'a number';
  return range.minExclusive
    ? `${kind} above ${range.min} and at most ${range.max}`
    : `${kind} from ${range.min} to ${range.max}`;
}

/**
 * Returns `value` when it is a number in `range`, else throws a RangeError naming the option (`name`, e.g.
 * 'k' or '--k') and what it got (`shown`, e.g. the text typed on the command line).
 */
export function checkNumber(name: string, value: unknown, range: NumberRange, shown?: string): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.minExclusive ? value > range.min : value >= range.min) &&
    value <= range.max;
  if (!ok) {
    throw new RangeError(`${name} must be ${describeRange(range)}, got ${shown ?? String(value)}`);
  }
  return value as number;
}

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
