'use client';

import { schemeDark2 } from 'd3';
import { useState } from 'react';
import type { Query } from '../lib/client/query.ts';
import {
  drawnPixels,
  type SupportSet,
  useCandidates,
  useNewClassAnswer,
} from '../lib/client/use-new-classes.ts';
import type { RunModel } from '../lib/client/use-run-model.ts';
import { classColor } from '../lib/colors.ts';
import { DrawSupport } from './new-classes/DrawSupport.tsx';
import { NewClassResult } from './new-classes/NewClassResult.tsx';
import { QueryInput } from './new-classes/QueryInput.tsx';
import { SupportCandidates } from './new-classes/SupportCandidates.tsx';
import { SupportList } from './new-classes/SupportList.tsx';

/** Drawn classes get colours of their own, apart from the dataset's classes. */
const customColor = (k: number) => schemeDark2[Math.max(0, k) % schemeDark2.length]!;

/**
 * Classes the model never trained on, each given by one example: the held-out (and validation) classes of a
 * hold-out run, picked from the test set or drawn, or symbols the user draws and names. A query, drawn or picked,
 * goes to the closest class, or to 'unknown' when no class is within the run's threshold. The support set is
 * the caller's, so it outlives a switch of model.
 */
export function NewClassDemo({
  model,
  classNames,
  unseenClasses,
  validationClasses,
  supportSet,
}: {
  model: RunModel;
  classNames: string[];
  /** Classes the run never trained on, offered as examples and queries. */
  unseenClasses: readonly number[];
  validationClasses: readonly number[];
  supportSet: SupportSet;
}) {
  const { matcher, images, labels, indices, backend } = model;
  const { supports, setSupport, remove, nextName } = supportSet;
  const candidates = useCandidates(labels, unseenClasses);
  const [query, setQuery] = useState<Query>();
  const { added, outcome } = useNewClassAnswer(matcher, supports, query);

  const colorOf = (name: string) => {
    const label = classNames.indexOf(name);
    if (label >= 0) return classColor(label);
    return customColor(supports.findIndex((s) => s.name === name));
  };

  return (
    <div className="new-classes">
      <div className="step">
        <h3>1 · Give one example of each new class</h3>
        <SupportCandidates
          candidates={candidates}
          classNames={classNames}
          validationClasses={validationClasses}
          images={images}
          testIndices={indices}
          supports={supports}
          onPick={setSupport}
        />
        <DrawSupport
          nextName={nextName}
          suggestions={unseenClasses.map((c) => classNames[c]!)}
          prepare={(drawing) => drawnPixels(matcher, drawing)}
          onAdd={setSupport}
        />
        <SupportList supports={supports} colorOf={colorOf} onRemove={remove} />
      </div>
      <div className="step">
        <h3>2 · Ask a query</h3>
        <div className="demo">
          <QueryInput
            candidates={candidates.queries}
            classNames={classNames}
            images={images}
            labels={labels}
            onQuery={setQuery}
          />
          <NewClassResult
            matcher={matcher}
            supports={supports}
            added={added}
            outcome={outcome}
            backend={backend}
            colorOf={colorOf}
          />
        </div>
      </div>
    </div>
  );
}
