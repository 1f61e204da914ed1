'use client';

import { useState } from 'react';
import { useSupportSet } from '../../lib/client/use-new-classes.ts';
import { useRunModel } from '../../lib/client/use-run-model.ts';
import { initialModel, type NewClassModel, unseenClasses } from '../../lib/new-class-models.ts';
import { NewClassDemo } from '../NewClassDemo.tsx';
import { ModelPicker } from './ModelPicker.tsx';

/** The page's ?model= names the new-class demo's run; absent or unknown, the ranked list's first. */
const MODEL_PARAM = 'model';

/**
 * The new-class demo with its choice of model: any run of the dataset, the transfer run by default. The support
 * set stays when the model changes, so runs can be compared on the same examples.
 */
export function NewClassSection({
  models,
  classNames,
  pageRun,
}: {
  /** The dataset's runs, ranked (rankNewClassModels): the first is the default. */
  models: readonly NewClassModel[];
  classNames: string[];
  pageRun: string;
}) {
  const [run, setRun] = useState(
    () => initialModel(models, new URLSearchParams(window.location.search).get(MODEL_PARAM)) ?? pageRun,
  );
  const { model, error } = useRunModel(run);
  const supportSet = useSupportSet();
  const chosen = models.find((m) => m.run === run);
  const unseen = chosen ? unseenClasses(chosen) : [];
  const names = (classes: readonly number[]) => classes.map((c) => classNames[c]).join(', ');

  const choose = (next: string) => {
    setRun(next);
    const url = new URL(window.location.href);
    if (next === models[0]?.run) url.searchParams.delete(MODEL_PARAM);
    else url.searchParams.set(MODEL_PARAM, next);
    window.history.replaceState(window.history.state, '', url);
  };

  return (
    <div data-testid="newclass-demo" data-run={run} data-loaded={model ? 'yes' : 'no'}>
      <ModelPicker models={models} value={run} pageRun={pageRun} onChange={choose} />
      {chosen && chosen.heldOutClasses.length > 0 ? (
        <p>
          {run} never saw {names(chosen.heldOutClasses)}
          {chosen.validationClasses.length > 0 &&
            ` (held out for its test figures), nor ${names(chosen.validationClasses)} (validation classes, which chose its epoch and open-set cuts)`}{' '}
          in training. Give one example of each, then ask queries: the closest class wins, unless none is
          within the run's cut for its count of supports (the legend under the answer names it).
        </p>
      ) : (
        <p>
          {run} trained on every class: draw your own symbols as classes, one example each, then draw queries.
          For classes a model never saw, pick a hold-out run above.
        </p>
      )}
      {error ? (
        <p className="error">Could not load the model: {error}</p>
      ) : model ? (
        <NewClassDemo
          key={run}
          model={model}
          classNames={classNames}
          unseenClasses={unseen}
          validationClasses={chosen?.validationClasses ?? []}
          supportSet={supportSet}
        />
      ) : (
        <p className="muted" data-testid="newclass-loading">
          Loading {run}…
        </p>
      )}
    </div>
  );
}
