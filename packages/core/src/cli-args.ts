import { parseArgs } from 'node:util';
import { checkNumber, type NumberRange } from './ranges.ts';

/** A command-line mistake: the CLIs print it with their usage and exit with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };
export type ParsedValues = Record<string, string | boolean | undefined>;

/**
 * Parses a CLI's arguments strictly: a literal leading `--` (pnpm forwards one) is dropped, and a negative number
 * after a string option is taken as its value (`--epochs -1`), so the range check can say what is wrong with it
 * rather than parseArgs calling the argument ambiguous.
 */
export function parseCommandLine(argv: readonly string[], options: Record<string, OptionSpec>): ParsedValues {
  const raw = argv[0] === '--' ? argv.slice(1) : [...argv];
  const args: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const name = raw[i]!.startsWith('--') ? raw[i]!.slice(2) : undefined;
    const next = raw[i + 1];
    if (
      name &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d|^-\.\d|^-Infinity/.test(next)
    ) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(raw[i]!);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as ParsedValues;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

/**
 * A numeric flag's text as a number in its documented range, or a UsageError. The check is the one the API
 * makes (checkNumber), so a flag and the option it sets are refused alike.
 */
export function rangeFlag(flag: string, text: string, range: NumberRange): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  try {
    return checkNumber(flag, value, range, `'${text}'`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** One of `allowed`, or undefined when the flag was not given. */
export function choiceFlag<T extends string>(
  flag: string,
  raw: unknown,
  allowed: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(raw))
    throw new UsageError(`${flag} expects one of ${allowed.join(', ')}; got '${String(raw)}'`);
  return raw as T;
}

/**
 * A list of class numbers (0 to classCount − 1) separated by commas, or 'none' (or nothing) for none: sorted,
 * repeats dropped, anything else a UsageError naming the flag.
 */
export function classListFlag(flag: string, raw: string, classCount: number): number[] {
  if (raw === 'none' || raw === '') return [];
  const classes = raw.split(',').map((part) => Number(part.trim()));
  if (classes.some((c) => !Number.isInteger(c) || c < 0 || c >= classCount)) {
    throw new UsageError(
      `${flag} expects class numbers 0-${classCount - 1} separated by commas (or 'none'), got '${raw}'`,
    );
  }
  return [...new Set(classes)].sort((a, b) => a - b);
}
