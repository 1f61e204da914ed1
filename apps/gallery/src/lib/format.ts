import type { EmbeddingMetric, Measure, Polarity, ThresholdSource } from '@twinnet/core';

export const percent = (v: number, digits = 1): string => `${(100 * v).toFixed(digits)}%`;

/** A difference of two fractions in percentage points, signed: "+4.2 pp", "−16.7 pp". */
export const points = (v: number, digits = 1): string =>
  `${v < 0 ? '−' : '+'}${Math.abs(100 * v).toFixed(digits)} pp`;

const SCORE_NAMES: Record<EmbeddingMetric, string> = {
  euclidean: 'calibrated distance',
  cosine: 'cosine similarity',
  head: 'logit',
};

/**
 * What a run's pair score (predictions.json, the histogram) is called, by how the run compares embeddings:
 * sigmoid(w·d + b) of the Euclidean distance d, the cosine similarity of the L2-normalised embeddings, or the
 * MLP head's logit.
 */
export const scoreName = (metric: EmbeddingMetric): string => SCORE_NAMES[metric];

/** A date in UTC, identical on the server and in the browser (no hydration mismatch). */
export const formatDate = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** +1 when a higher score means "more alike", so one comparison serves both polarities. */
export const similaritySign = (polarity: Polarity): number => (polarity === 'lower-is-same' ? -1 : 1);

const MEASURE_NAMES: Record<Measure, string> = {
  distance: 'embedding distance',
  similarity: 'cosine similarity',
  score: "head's score (a logit)",
};

/**
 * What a matcher's numbers are: embedding distances (distance heads), cosine similarities of the L2-normalised
 * embeddings (cosine heads) or the MLP head's score, a logit.
 */
export const measureName = (measure: Measure): string => MEASURE_NAMES[measure];

const THRESHOLD_NAMES: Record<ThresholdSource, string> = {
  'open-set':
    "the run's open-set cut (calibrated on validation classes, kept out of training while it was chosen)",
  'validation-pairs': 'the threshold chosen on validation pairs',
  given: 'the given threshold',
};

/** Where a matcher's threshold came from, in words. */
export const thresholdName = (source: ThresholdSource): string => THRESHOLD_NAMES[source];
