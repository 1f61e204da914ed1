import type { Metrics } from '@twinnet/core';
import { formatDate, percent } from '../lib/format.ts';
import { commitLabel, heldOutLabel, recipeLabel, trainingLabel } from '../lib/server/training.ts';
import { OneShotFigures } from './RunsTable.tsx';

/** The headline numbers of one run, as label/value pairs that wrap on narrow screens. */
export function RunSummary({ metrics: m }: { metrics: Metrics }) {
  const items: [string, React.ReactNode][] = [
    ['dataset', m.dataset],
    ['variant', m.recipe.variant],
    ['recipe', recipeLabel(m)],
    ['test accuracy', `${percent(m.test.accuracy, 2)} on ${m.test.pairs.toLocaleString('en')} pairs`],
    ['AUC', m.test.auc.toFixed(4)],
    ['precision@1', percent(m.test.precisionAt1)],
    ['one-shot', <OneShotFigures key="o" metrics={m} />],
    ['held-out classes', heldOutLabel(m)],
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
