'use client';

import { useEffect, useMemo, useState } from 'react';
import type { Drawing, Outcome } from '../lib/client/query.ts';
import { imageAt } from '../lib/client/run-data.ts';
import { examplesOf, type RunModel, useSupports } from '../lib/client/use-run-model.ts';
import { classColor } from '../lib/colors.ts';
import { DigitImage } from './DigitImage.tsx';
import { DrawPad } from './DrawPad.tsx';
import { Legend, ScoreRow } from './ScoreRows.tsx';

/**
 * Draw something; it is compared with one test image of every class (the "one shot"), and every class gets
 * the matcher's distance, similarity or score. The closest class wins; classes within the run's threshold match.
 */
export function OneShotDemo({
  model,
  classNames,
  title,
}: {
  model: RunModel;
  classNames: string[];
  /** The dataset's name, for the prompt. */
  title: string;
}) {
  const { matcher, images, labels, backend } = model;
  const [offset, setOffset] = useState(0);
  const examples = useMemo(
    () =>
      classNames.flatMap((name, label) => {
        const i = examplesOf(labels, label, 1, offset)[0];
        return i === undefined ? [] : [{ label: name, classIndex: label, pixels: imageAt(images, i) }];
      }),
    [classNames, labels, images, offset],
  );
  const supports = useSupports(matcher, examples);
  const [drawing, setDrawing] = useState<Drawing>();
  const [outcome, setOutcome] = useState<Outcome>();

  // A new set of examples re-answers the current drawing.
  useEffect(() => {
    setOutcome(drawing ? supports.ask(drawing) : undefined);
  }, [drawing, supports]);

  const answer = outcome?.answer;
  const byLabel = new Map(answer?.result.ranked.map((d) => [d.label, d]));
  const best = answer?.result.ranked[0];
  const bestIndex = best ? classNames.indexOf(best.label) : -1;
  return (
    <div className="demo">
      <div className="demo-input">
        <DrawPad
          label="Draw here"
          testId="oneshot-pad"
          onStroke={setDrawing}
          onClear={() => setDrawing(undefined)}
        />
        {answer && (
          <div className="seen-as">
            <DigitImage pixels={answer.pixels} size={56} label="what the model sees" />
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
        {supports.error && <p className="error">{supports.error}</p>}
        {outcome?.error && <p className="error">{outcome.error}</p>}
        {answer && best ? (
          <p data-testid="oneshot-verdict" data-unknown={answer.result.unknown}>
            Most like <strong style={{ color: classColor(bestIndex) }}>{best.label}</strong>
            {answer.result.unknown && ', but not within the threshold of any class: unknown'}{' '}
            <span className="muted small">
              (answered in {answer.ms.toFixed(1)} ms on {backend})
            </span>
          </p>
        ) : (
          !outcome?.error && (
            <p className="muted">Draw one of the {title} classes to compare it with one example of each.</p>
          )
        )}
        <ol
          className="class-scores"
          data-testid="class-scores"
          data-latency-ms={answer?.ms.toFixed(2)}
          data-answer={answer?.id}
          data-answered={answer ? 'yes' : 'no'}
        >
          {examples.map(({ label, classIndex, pixels }) => (
            <ScoreRow
              key={label}
              name={label}
              color={classColor(classIndex)}
              pixels={pixels}
              distance={byLabel.get(label)}
              best={best?.label === label}
              matcher={matcher}
              ranked={answer?.result.ranked ?? []}
            />
          ))}
        </ol>
        <Legend matcher={matcher} what="each class's example" />
      </div>
    </div>
  );
}
