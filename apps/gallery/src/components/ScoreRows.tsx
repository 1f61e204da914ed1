'use client';

import { type LabelDistance, type Matcher, measureValue, type Polarity, predictsSame } from '@twinnet/core';
import { measureName, similaritySign, thresholdName } from '../lib/format.ts';
import { DigitImage } from './DigitImage.tsx';

/** How to read the numbers: what they measure, and the threshold that makes a match. */
export function Legend({ matcher, what }: { matcher: Matcher; what: string }) {
  return (
    <p className="muted small" data-testid="score-legend" data-measure={matcher.measure}>
      Numbers are the {measureName(matcher.measure)} between the query and {what};{' '}
      {matcher.polarity === 'lower-is-same' ? 'below' : 'above'} {thresholdName(matcher.thresholdSource)},{' '}
      {matcher.threshold.toFixed(3)}, counts as a match (✓).
    </p>
  );
}

/** One label of an answer: its example, a bar of how alike it is, and its value on the matcher's measure. */
export function ScoreRow({
  name,
  color,
  pixels,
  distance,
  best,
  matcher,
  ranked,
  testId = 'class-score',
}: {
  name: string;
  color: string;
  pixels: Uint8Array;
  /** This label's entry in the answer, if there is one. */
  distance: LabelDistance | undefined;
  best: boolean;
  matcher: Matcher;
  /** Every label of the answer, for the bar's scale. */
  ranked: readonly LabelDistance[];
  testId?: string;
}) {
  const value = distance ? measureValue(distance) : undefined;
  const match = value !== undefined && predictsSame(value, matcher.threshold, matcher.polarity);
  const fraction = value === undefined ? 0 : barFraction(ranked.map(measureValue), value, matcher.polarity);
  return (
    <li className={best ? 'best' : ''} data-testid={testId} data-class={name} data-score={value}>
      <DigitImage pixels={pixels} size={36} label={`example of ${name}`} />
      <span className="score-name" style={{ color }}>
        {name}
      </span>
      <span className="score-bar">
        <span style={{ width: `${Math.round(100 * fraction)}%`, background: color }} />
      </span>
      <span className="score-value" title={measureName(matcher.measure)}>
        {value === undefined ? '' : value.toFixed(3)}
        {match ? ' ✓' : ''}
      </span>
    </li>
  );
}

/** Bar length: how alike, relative to the range of this answer's values (the closest gets a full bar). */
export function barFraction(values: readonly number[], value: number, polarity: Polarity): number {
  const sign = similaritySign(polarity);
  const alike = values.map((v) => sign * v);
  const lo = Math.min(...alike);
  const hi = Math.max(...alike);
  return hi === lo ? 1 : 0.08 + (0.92 * (sign * value - lo)) / (hi - lo);
}
