import type { Matcher, Polarity } from '@twinnet/core';

export const percent = (v: number, digits = 1): string => `${(100 * v).toFixed(digits)}%`;

/** What the head's number is called: sigmoid(w·d + b) of the Euclidean distance d, or the MLP head's logit. */
export const scoreName = (polarity: Polarity): string =>
  polarity === 'lower-is-same' ? 'calibrated distance' : 'logit';

/** A date in UTC, identical on the server and in the browser (no hydration mismatch). */
export const formatDate = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** +1 when a higher score means "more alike", so one comparison serves both polarities. */
export const similaritySign = (polarity: Polarity): number => (polarity === 'lower-is-same' ? -1 : 1);

/** What a matcher's numbers are: embedding distances (distance heads) or the MLP head's score, a logit. */
export const measureName = (measure: Matcher['measure']): string =>
  measure === 'distance' ? 'embedding distance' : "head's score (a logit)";
