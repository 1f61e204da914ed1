'use client';

import type { Matcher } from '@twinnet/core';
import type { Outcome } from '../../lib/client/query.ts';
import type { Support } from '../../lib/client/use-new-classes.ts';
import type { Supported } from '../../lib/client/use-run-model.ts';
import { DigitImage } from '../DigitImage.tsx';
import { Legend, ScoreRow } from '../ScoreRows.tsx';

/** The answer to the query: the closest class (or unknown) and every class's value on the matcher's measure. */
export function NewClassResult({
  matcher,
  supports,
  added,
  outcome,
  backend,
  colorOf,
}: {
  matcher: Matcher;
  supports: readonly Support[];
  added: Supported;
  outcome: Outcome | undefined;
  backend: string;
  colorOf: (name: string) => string;
}) {
  const answer = outcome?.answer;
  const ranked = answer?.result.ranked ?? [];
  const winner = ranked[0];
  const pixelsOf = (name: string) => supports.find((s) => s.name === name)?.pixels ?? new Uint8Array(0);
  return (
    <div
      className="demo-output"
      data-testid="newclass-result"
      data-winner={winner?.label}
      data-unknown={answer?.result.unknown}
      data-latency-ms={answer?.ms.toFixed(2)}
      data-answer={answer?.id}
    >
      {supports.length === 0 && <p className="muted">Give at least one support first.</p>}
      {added.error && <p className="error">{added.error}</p>}
      {outcome?.error && <p className="error">{outcome.error}</p>}
      {supports.length > 0 && !outcome && <p className="muted">Draw or pick a query.</p>}
      {answer && winner && (
        <>
          <div className="seen-as">
            <DigitImage pixels={answer.pixels} size={56} label="the query as the model sees it" />
            <p>
              Closest class: <strong style={{ color: colorOf(winner.label) }}>{winner.label}</strong>
              {answer.result.unknown && ', but not within the threshold: unknown'}{' '}
              <span className="muted small">
                ({answer.ms.toFixed(1)} ms on {backend})
              </span>
            </p>
          </div>
          <ol className="class-scores">
            {ranked.map((d) => (
              <ScoreRow
                key={d.label}
                testId="support-score"
                name={d.label}
                color={colorOf(d.label)}
                pixels={pixelsOf(d.label)}
                distance={d}
                best={d === winner}
                matcher={matcher}
                ranked={ranked}
              />
            ))}
          </ol>
          <Legend matcher={matcher} what="each class's support, closest first" />
        </>
      )}
    </div>
  );
}
