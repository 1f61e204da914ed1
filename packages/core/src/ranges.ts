// Documented ranges of accepted numbers, checked one way everywhere: the API's options and every CLI's flags.

/** A documented range of accepted numbers. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is refused (a distance threshold of 0 would make every query unknown). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

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
