'use client';

import { PIXELS, type Polarity, type PreprocessStyle, predictsSame } from '@twinnet/core';
import { useEffect, useMemo, useState } from 'react';
import { type Answer, answer, type Drawing } from '../lib/client/query.ts';
import { imageAt } from '../lib/client/run-data.ts';
import { examplesOf, type RunModel } from '../lib/client/use-run-model.ts';
import { classColor } from '../lib/colors.ts';
import { scoreName } from '../lib/format.ts';
import { DigitImage } from './DigitImage.tsx';
import { DrawPad } from './DrawPad.tsx';

/**
 * Draw something; it is compared with one test image of every class (the "one shot"), and every class gets
 * the head's score. The most alike class wins; classes within the validation threshold count as a match.
 */
export function OneShotDemo({
  model,
  classNames,
  threshold,
  style,
}: {
  model: RunModel;
  classNames: string[];
  threshold: number;
  style: PreprocessStyle;
}) {
  const { siamese, images, labels } = model;
  const [offset, setOffset] = useState(0);
  const examples = useMemo(
    () => classNames.map((_, label) => examplesOf(labels, label, 1, offset)[0]),
    [classNames, labels, offset],
  );
  const supports = useMemo(() => {
    const present = examples.filter((i): i is number => i !== undefined);
    const batch = new Uint8Array(present.length * PIXELS);
    for (const [k, i] of present.entries()) batch.set(imageAt(images, i), k * PIXELS);
    return siamese.embed(batch);
  }, [examples, images, siamese]);
  const classesShown = examples.flatMap((i, label) => (i === undefined ? [] : [label]));
  const [drawing, setDrawing] = useState<Drawing>();
  const [result, setResult] = useState<Answer>();

  // A new set of examples re-answers the current drawing.
  useEffect(() => {
    setResult(drawing ? answer(siamese, drawing, supports, style) : undefined);
  }, [drawing, supports, siamese, style]);

  const name = scoreName(siamese.polarity);
  return (
    <div className="demo">
      <div className="demo-input">
        <DrawPad
          label="Draw here"
          testId="oneshot-pad"
          onStroke={setDrawing}
          onClear={() => setDrawing(undefined)}
        />
        {result && (
          <div className="seen-as">
            <DigitImage pixels={result.pixels} size={56} label="what the model sees" />
            <span className="muted small">what the model sees (28×28)</span>
          </div>
        )}
        <button
          type="button"
          onClick={() => setOffset((o) => (o + 1 + Math.floor(Math.random() * 97)) % labels.length)}
        >
          Other examples
        </button>
      </div>
      <div className="demo-output">
        {result ? (
          <p data-testid="oneshot-verdict">
            Most like{' '}
            <strong style={{ color: classColor(classesShown[result.best]!) }}>
              {classNames[classesShown[result.best]!]}
            </strong>{' '}
            <span className="muted small">
              (answered in {result.ms.toFixed(1)} ms on {siamese.backend})
            </span>
          </p>
        ) : (
          <p className="muted">
            Draw a {style === 'mnist' ? 'digit' : 'garment'} to compare it with one example of every class.
          </p>
        )}
        <ol
          className="class-scores"
          data-testid="class-scores"
          data-latency-ms={result?.ms.toFixed(2)}
          data-answer={result?.id}
          data-answered={result ? 'yes' : 'no'}
        >
          {classesShown.map((label, k) => (
            <ScoreRow
              key={label}
              name={classNames[label]!}
              color={classColor(label)}
              pixels={imageAt(images, examples[label]!)}
              score={result?.scores[k]}
              best={result?.best === k}
              match={result ? predictsSame(result.scores[k]!, threshold, siamese.polarity) : false}
              scoreName={name}
              fraction={result ? barFraction(result.scores, k, siamese.polarity) : 0}
            />
          ))}
        </ol>
        <p className="muted small">
          Numbers are the head's {name} to each class's example;{' '}
          {siamese.polarity === 'lower-is-same' ? 'below' : 'above'} the validation threshold{' '}
          {threshold.toFixed(3)} counts as a match (✓).
        </p>
      </div>
    </div>
  );
}

export function ScoreRow({
  name,
  color,
  pixels,
  score,
  best,
  match,
  scoreName,
  fraction,
  testId = 'class-score',
}: {
  name: string;
  color: string;
  pixels: Uint8Array;
  score: number | undefined;
  best: boolean;
  match: boolean;
  scoreName: string;
  fraction: number;
  testId?: string;
}) {
  return (
    <li className={best ? 'best' : ''} data-testid={testId} data-class={name} data-score={score}>
      <DigitImage pixels={pixels} size={36} label={`example of ${name}`} />
      <span className="score-name" style={{ color }}>
        {name}
      </span>
      <span className="score-bar">
        <span style={{ width: `${Math.round(100 * fraction)}%`, background: color }} />
      </span>
      <span className="score-value" title={scoreName}>
        {score === undefined ? '' : score.toFixed(3)}
        {match ? ' ✓' : ''}
      </span>
    </li>
  );
}

/** Bar length: how alike, relative to the range of this answer's scores (the best gets a full bar). */
export function barFraction(scores: Float32Array, k: number, polarity: Polarity): number {
  const sign = polarity === 'lower-is-same' ? -1 : 1;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    lo = Math.min(lo, sign * s);
    hi = Math.max(hi, sign * s);
  }
  return hi === lo ? 1 : 0.08 + (0.92 * (sign * scores[k]! - lo)) / (hi - lo);
}
