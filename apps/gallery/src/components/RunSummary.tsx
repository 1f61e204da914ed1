import type { Metrics } from '@twinnet/core';
import Link from 'next/link';
import { formatDate, percent } from '../lib/format.ts';
import { crossDataset, cutsAt } from '../lib/open-set.ts';
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
import { CrossDatasetFigures, CutFiguresAt } from './OpenSetFigures.tsx';
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
    ['other datasets', <CrossDatasetFigures key="c" cross={crossDataset(m)} />],
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

/**
 * The open-set cuts at 1 and 5 supports and their figures on the held-out test classes (on validation, where they
 * were chosen, beside them); a run written before per-count cuts has its one 5-shot cut.
 */
function OpenSetSummary({ openSet }: { openSet: NonNullable<Metrics['openSet']> }) {
  return (
    <div data-testid="open-set-summary">
      {cutsAt(openSet).map((at) => (
        <CutFiguresAt key={at.shots} at={at} measure={openSet.measure} label />
      ))}
      <div className="muted small">
        cuts for {targetLabel(openSet.target)} on validation classes ·{' '}
        <Link href={transferPageUrl}>all runs</Link>
      </div>
    </div>
  );
}
