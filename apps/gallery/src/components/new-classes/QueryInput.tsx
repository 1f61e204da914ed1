'use client';

import { useState } from 'react';
import type { Query } from '../../lib/client/query.ts';
import { imageAt } from '../../lib/client/run-data.ts';
import { DigitImage } from '../DigitImage.tsx';
import { DrawPad } from '../DrawPad.tsx';

/** The query: drawn on a pad, or one of a few test images of the classes the run never trained on. */
export function QueryInput({
  candidates,
  classNames,
  images,
  labels,
  onQuery,
}: {
  /** Indices into the run's embedded images. */
  candidates: readonly number[];
  classNames: string[];
  images: Uint8Array;
  labels: readonly number[];
  onQuery: (query: Query | undefined) => void;
}) {
  const [picked, setPicked] = useState<number>();
  return (
    <div className="demo-input">
      <DrawPad
        label="Draw a query"
        testId="query-pad"
        onStroke={(drawing) => {
          onQuery(drawing);
          setPicked(undefined);
        }}
        onClear={() => onQuery(undefined)}
      />
      {candidates.length > 0 && (
        <fieldset className="candidates" aria-label="Test images of unseen classes">
          <span className="muted small">or pick:</span>
          {candidates.map((i) => (
            <button
              key={i}
              type="button"
              className={`thumb${picked === i ? ' chosen' : ''}`}
              data-testid="query-candidate"
              data-class={classNames[labels[i]!]}
              onClick={() => {
                onQuery(imageAt(images, i));
                setPicked(i);
              }}
            >
              <DigitImage pixels={imageAt(images, i)} size={40} label={`query: test image ${i}`} />
            </button>
          ))}
        </fieldset>
      )}
    </div>
  );
}
