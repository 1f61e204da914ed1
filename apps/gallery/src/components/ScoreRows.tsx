'use client';

import { type LabelDistance, type Matcher, measureValue, type Polarity, predictsSame } from '@twinnet/core';
import { measureName, similaritySign } from '../lib/format.ts';
import { appliedCuts, cutSentence } from '../lib/open-set.ts';
import { DigitImage } from './DigitImage.tsx';

/**
 * How to read the numbers: what they measure, and the cut that makes a match, which for a run with per-count
 * cuts is the one of the labels' count of supports (one example each, in the demos: the 1-shot cut).
 */
export function Legend({ matcher, what }: { matcher: Matcher; what: string }) {
  const counts = matcher.labels.map((l) => l.supports);
  const applied = matcher.cuts.length > 0 ? appliedCuts(matcher, counts.length ? counts : [1]) : [];
  return (
    <p
      className="muted small"
      data-testid="score-legend"
      data-measure={matcher.measure}
      data-cut-shots={applied.map((a) => a.shots).join(',')}
      data-cut={(applied.length ? applied.map((a) => a.threshold) : [matcher.threshold]).join(',')}
    >
      Numbers are the {measureName(matcher.measure)} between the query and {what};{' '}
      {cutSentence(matcher, counts)}
    </p>
  );
}

/** The cut the matcher applies to a label: its count of supports' (core's thresholdFor). */
const labelCut = (matcher: Matcher, label: string): number =>
  matcher.thresholdFor(matcher.labels.find((l) => l.label === label)?.supports ?? 1);

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
  const cut = labelCut(matcher, name);
  const match = value !== undefined && predictsSame(value, cut, matcher.polarity);
  const fraction = value === undefined ? 0 : barFraction(ranked.map(measureValue), value, matcher.polarity);
  return (
    <li
      className={best ? 'best' : ''}
      data-testid={testId}
      data-class={name}
      data-score={value}
      data-cut={cut}
      data-match={match}
    >
      <DigitImage pixels={pixels} size={36} label={`example of ${name}`} />
      <span className="score-name" style={{ color }}>
        {name}
      </span>
      <span className="score-bar">
        <span style={{ width: `${Math.round(100 * fraction)}%`, background: color }} />
      </span>
      <span className="score-value" title={`${measureName(matcher.measure)}; cut ${cut.toFixed(3)}`}>
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
