'use client';

import type { Prediction, Predictions } from '@twinnet/core';
import { useEffect, useMemo, useState } from 'react';
import { decodeImage, loadPredictions } from '../lib/client/run-data.ts';
import { similaritySign } from '../lib/format.ts';
import { DigitImage } from './DigitImage.tsx';

const FILTERS = {
  all: 'All',
  errors: 'Errors',
  'hard-positives': 'Hardest positives',
  'hard-negatives': 'Hardest negatives',
} as const;
type Filter = keyof typeof FILTERS;

/** How many pairs the "hardest" filters show. */
const HARDEST = 24;
/** Pairs shown at first and added per "show more", to keep the page short. */
const PAGE = 24;

interface Shown extends Prediction {
  id: number;
  error: boolean;
}

/**
 * Test pairs as the model judged them: both images, the head's score, truth and prediction, errors marked.
 * "Hardest positives" are same-class pairs the model finds least alike; "hardest negatives" are
 * different-class pairs it finds most alike (whether or not it got them wrong).
 */
export function PairGrid({
  run,
  classNames,
  scoreName,
}: {
  run: string;
  classNames: string[];
  /** What the pairs' score is (a calibrated distance, a cosine similarity, a logit). */
  scoreName: string;
}) {
  const [predictions, setPredictions] = useState<Predictions>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState<Filter>('all');
  const [limit, setLimit] = useState(PAGE);

  useEffect(() => {
    loadPredictions(run).then(setPredictions, (e: unknown) => setError((e as Error).message));
  }, [run]);

  const all = useMemo<Shown[]>(
    () =>
      (predictions?.pairs ?? []).map((p, id) => ({ ...p, id, error: p.predictedSame !== (p.same === 1) })),
    [predictions],
  );
  const shown = useMemo(() => {
    if (!predictions) return [];
    const alike = (p: Shown) => similaritySign(predictions.polarity) * p.score;
    switch (filter) {
      case 'all':
        // The random sample first (what typical pairs look like), then the worst mistakes.
        return [...all].sort((a, b) => Number(a.kind !== 'sample') - Number(b.kind !== 'sample'));
      case 'errors':
        return all.filter((p) => p.error);
      case 'hard-positives':
        return all
          .filter((p) => p.same === 1)
          .sort((a, b) => alike(a) - alike(b))
          .slice(0, HARDEST);
      case 'hard-negatives':
        return all
          .filter((p) => p.same === 0)
          .sort((a, b) => alike(b) - alike(a))
          .slice(0, HARDEST);
    }
  }, [all, filter, predictions]);

  if (error) return <p className="error">Could not load the test pairs: {error}</p>;
  if (!predictions) return <p className="muted">Loading test pairs…</p>;
  const errors = all.filter((p) => p.error).length;
  return (
    <div>
      <div className="filters" role="tablist" aria-label="Which pairs">
        {(Object.keys(FILTERS) as Filter[]).map((key) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={filter === key}
            className={filter === key ? 'active' : ''}
            onClick={() => {
              setFilter(key);
              setLimit(PAGE);
            }}
          >
            {FILTERS[key]}
          </button>
        ))}
      </div>
      <p className="muted small" data-testid="pair-count">
        {FILTERS[filter]}: {shown.length} of {all.length} pairs ({errors} errors among all; the pairs are a
        random sample of the test pairs plus the worst mistakes of each kind). Threshold: {scoreName}{' '}
        {predictions.polarity === 'lower-is-same' ? '<' : '>'} {predictions.threshold.toFixed(3)} means
        "same".
      </p>
      <ul className="pair-grid">
        {shown.slice(0, limit).map((p) => (
          <PairCard key={p.id} pair={p} classNames={classNames} name={scoreName} />
        ))}
      </ul>
      {shown.length > limit && (
        <button type="button" className="more" onClick={() => setLimit((l) => l + PAGE)}>
          Show {Math.min(PAGE, shown.length - limit)} more of {shown.length - limit}
        </button>
      )}
    </div>
  );
}

function PairCard({ pair, classNames, name }: { pair: Shown; classNames: string[]; name: string }) {
  const images = useMemo(() => [decodeImage(pair.imageA), decodeImage(pair.imageB)], [pair]);
  const a = classNames[pair.labelA];
  const b = classNames[pair.labelB];
  return (
    <li
      className={`pair${pair.error ? ' pair-error' : ''}`}
      data-testid="pair-card"
      data-pair={pair.id}
      data-error={pair.error}
      data-same={pair.same === 1}
    >
      <div className="pair-images">
        <DigitImage pixels={images[0]!} size={52} label={`${a}, test image ${pair.a}`} />
        <DigitImage pixels={images[1]!} size={52} label={`${b}, test image ${pair.b}`} />
      </div>
      <div className="pair-text">
        <div>
          {name} <strong>{pair.score.toFixed(3)}</strong>
        </div>
        <div>
          truth: {pair.same === 1 ? 'same' : 'different'}{' '}
          <span className="muted">
            ({a}/{b})
          </span>
        </div>
        <div>
          predicted: {pair.predictedSame ? 'same' : 'different'}{' '}
          {pair.error ? <span className="wrong">✗ error</span> : <span className="right">✓</span>}
        </div>
      </div>
    </li>
  );
}
