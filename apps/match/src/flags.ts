import { checkNumber, type NumberRange } from '@twinnet/core';
import { UsageError } from '@twinnet/core/node';

/**
 * A numeric flag's text as a number in its documented range, or a UsageError. The check is the one the API
 * makes (checkNumber), so `--k 0` and `matchAll(images, { k: 0 })` are refused alike.
 */
export function rangeFlag(flag: string, text: string, range: NumberRange): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  try {
    return checkNumber(flag, value, range, `'${text}'`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The flags' ranges that only the CLIs have (the matcher's own are MATCH_RANGES). */
export const FLAG_RANGES = {
  /** Query files decoded, matched and printed at a time: memory stays flat in the number of files. */
  batch: { min: 1, max: 4096, integer: true },
  /** Pixels (width × height) an image may have, read from its header before it is decoded. */
  maxPixels: { min: 1, max: 100_000_000, integer: true },
} as const satisfies Record<string, NumberRange>;

export const DEFAULT_BATCH = 256;
/** 4096 × 4096: a decoded RGBA image of at most 64 MB. */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;
