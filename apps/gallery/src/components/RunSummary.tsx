import type { Metrics } from '@twinnet/core';
import { formatDate, percent } from '../lib/format.ts';
import { OneShotFigures } from './RunsTable.tsx';

/** The headline numbers of one run, as label/value pairs that wrap on narrow screens. */
export function RunSummary({ metrics: m }: { metrics: Metrics }) {
  const items: [string, React.ReactNode][] = [
    ['dataset', m.dataset],
    ['variant', `${m.variant} (${m.tower} tower, ${m.head} head)`],
    ['test accuracy', `${percent(m.test.accuracy, 2)} on ${m.test.pairs.toLocaleString('en')} pairs`],
    ['AUC', m.test.auc.toFixed(4)],
    ['precision@1', percent(m.test.precisionAt1)],
    ['one-shot', <OneShotFigures key="o" metrics={m} />],
    [
      'held-out classes',
      m.heldOutClasses.length ? m.heldOutClasses.map((c) => m.classNames[c]).join(', ') : 'none',
    ],
    [
      'training',
      `${m.training.epochs} epochs × ${m.training.pairsPerEpoch.toLocaleString('en')} pairs, ${m.training.seconds.toFixed(0)} s`,
    ],
    ['backend', m.backend],
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
