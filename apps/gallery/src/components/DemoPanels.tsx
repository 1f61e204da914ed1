'use client';

import { useRunModel } from '../lib/client/use-run-model.ts';
import type { NewClassModel } from '../lib/new-class-models.ts';
import { NewClassSection } from './new-classes/NewClassSection.tsx';
import { OneShotDemo } from './OneShotDemo.tsx';

/**
 * Both demos: drawing against one example of every class with the page's run, and new classes with the
 * dataset's transfer run by default (any run of the dataset can be picked).
 */
export function DemoPanels({
  run,
  classNames,
  title,
  newClassModels,
}: {
  run: string;
  classNames: string[];
  /** The dataset's name. */
  title: string;
  /** The dataset's published runs, ranked for the new-class demo (rankNewClassModels). */
  newClassModels: NewClassModel[];
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
      <section id="new-classes">
        <h2>New classes</h2>
        <NewClassSection models={newClassModels} classNames={classNames} pageRun={run} />
      </section>
    </div>
  );
}
