import type { NumberRange } from '@twinnet/core';

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
/** The longest side an image may have, in either format: JPEG's own limit (its header holds 16 bits). */
export const MAX_SIDE = 65_535;
