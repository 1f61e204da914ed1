'use client';

import Link from 'next/link';
import { useRunModel } from '../lib/client/use-run-model.ts';
import { demoPageUrl } from '../lib/urls.ts';
import { NewClassDemo } from './NewClassDemo.tsx';
import { OneShotDemo } from './OneShotDemo.tsx';

/** Loads the run's model in the browser once and hands it to both demos. */
export function DemoPanels({
  run,
  classNames,
  heldOutClasses,
  title,
  holdoutRuns,
}: {
  run: string;
  classNames: string[];
  heldOutClasses: number[];
  /** The dataset's name. */
  title: string;
  /** Other published runs of this dataset that held classes out, to point to from a run that did not. */
  holdoutRuns: string[];
}) {
  const { model, error } = useRunModel(run);
  if (error) return <p className="error">Could not load the model: {error}</p>;
  if (!model)
    return (
      <p className="muted" data-testid="model-loading">
        Loading the model…
      </p>
    );
  return (
    <div data-testid="demos" data-backend={model.backend}>
      <section>
        <h2>Draw and compare</h2>
        <OneShotDemo model={model} classNames={classNames} title={title} />
      </section>
      <section>
        <h2>New classes</h2>
        {heldOutClasses.length > 0 ? (
          <p>
            This run never saw {heldOutClasses.map((c) => classNames[c]).join(', ')} in training. Give one
            example of each, then ask queries: the closest class wins, unless none is within the run's
            threshold.
          </p>
        ) : (
          <p>
            This run trained on every class: draw your own symbols as classes, one example each, then draw
            queries.{' '}
            {holdoutRuns.length > 0 ? (
              <>
                For classes a model never saw, try{' '}
                {holdoutRuns.map((r, i) => (
                  <span key={r}>
                    {i > 0 && ', '}
                    <Link href={demoPageUrl(r)}>{r}</Link>
                  </span>
                ))}
                .
              </>
            ) : (
              <>A hold-out run (trained with --holdout) lets you try classes the model never saw.</>
            )}
          </p>
        )}
        <NewClassDemo model={model} classNames={classNames} heldOutClasses={heldOutClasses} />
      </section>
    </div>
  );
}
