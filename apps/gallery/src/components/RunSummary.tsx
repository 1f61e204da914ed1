import type { Metrics } from '@twinnet/core';
import Link from 'next/link';
import { formatDate, measureName, percent } from '../lib/format.ts';
import {
  commitLabel,
  embeddingLabel,
  heldOutLabel,
  recipeLabel,
  trainingLabel,
  validationLabel,
} from '../lib/server/training.ts';
import { targetLabel } from '../lib/transfer.ts';
import { transferPageUrl } from '../lib/urls.ts';
import { OneShotFigures } from './RunsTable.tsx';

/** The headline numbers of one run, as label/value pairs that wrap on narrow screens. */
export function RunSummary({ metrics: m }: { metrics: Metrics }) {
  const items: [string, React.ReactNode][] = [
    ['dataset', m.dataset],
    ['variant', m.recipe.variant],
    ['recipe', recipeLabel(m)],
    ['embedding', embeddingLabel(m)],
    ['test accuracy', `${percent(m.test.accuracy, 2)} on ${m.test.pairs.toLocaleString('en')} pairs`],
    ['AUC', m.test.auc.toFixed(4)],
    ['precision@1', percent(m.test.precisionAt1)],
    ['one-shot', <OneShotFigures key="o" metrics={m} />],
    ...(m.openSet
      ? [['open set', <OpenSetSummary key="s" openSet={m.openSet} />] as [string, React.ReactNode]]
      : []),
    ['held-out classes', heldOutLabel(m)],
    ['validation classes', validationLabel(m)],
    ['training', `${trainingLabel(m)}, ${m.training.seconds.toFixed(0)} s`],
    ['backend', m.backend],
    ['commit', commitLabel(m)],
    ['date', formatDate(m.createdAt)],
  ];
  return (
    <dl className="summary">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The open-set cut and its figures on the held-out test classes (and on validation, where it was chosen). */
function OpenSetSummary({ openSet }: { openSet: NonNullable<Metrics['openSet']> }) {
  const { test, validation } = openSet;
  return (
    <div data-testid="open-set-summary">
      {test ? (
        <div>
          AUROC <strong>{test.auroc.toFixed(3)}</strong>; unknown {percent(test.supportedUnknown)} with
          supports, {percent(test.unsupportedUnknown)} without
        </div>
      ) : (
        <div className="muted">no test figures (fewer than two held-out classes)</div>
      )}
      <div className="muted small">
        cut: {measureName(openSet.measure)} {openSet.measure === 'distance' ? '<' : '>'}{' '}
        {openSet.threshold.toFixed(3)}, {openSet.shots}-shot, for {targetLabel(openSet.target)} on validation
        (AUROC {validation.auroc.toFixed(3)}) · <Link href={transferPageUrl}>all runs</Link>
      </div>
    </div>
  );
}
