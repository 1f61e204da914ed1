import type { Metrics } from '@twinnet/core';
import Link from 'next/link';
import { formatDate, percent } from '../lib/format.ts';
import { trainingLabel } from '../lib/server/training.ts';
import { demoPageUrl, runPageUrl } from '../lib/urls.ts';

/** Every published run, one row each; on narrow screens each row stacks into a card (see globals.css). */
export function RunsTable({ runs }: { runs: Metrics[] }) {
  return (
    <table className="runs" data-testid="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>dataset</th>
          <th>variant</th>
          <th>test accuracy</th>
          <th>AUC</th>
          <th>one-shot</th>
          <th>backend</th>
          <th>date</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((m) => (
          <tr key={m.run} data-testid="run-row">
            <td data-label="run">
              <div>
                <Link href={runPageUrl(m.run)}>
                  <strong>{m.run}</strong>
                </Link>
                <br />
                <Link href={demoPageUrl(m.run)} className="small">
                  one-shot demo →
                </Link>
              </div>
            </td>
            <td data-label="dataset">
              <div>{m.dataset}</div>
            </td>
            <td data-label="variant">
              <div>
                {m.recipe.variant}{' '}
                <span className="muted small">
                  ({m.recipe.tower.kind} tower, {m.recipe.head.kind} head)
                </span>
                <div className="muted small">{trainingLabel(m)}</div>
              </div>
            </td>
            <td data-label="test accuracy">
              <div>{percent(m.test.accuracy, 2)}</div>
            </td>
            <td data-label="AUC">
              <div>{m.test.auc.toFixed(4)}</div>
            </td>
            <td data-label="one-shot">
              <div>
                <OneShotFigures metrics={m} />
              </div>
            </td>
            <td data-label="backend">
              <div>{m.backend}</div>
            </td>
            <td data-label="date">
              <div>{formatDate(m.createdAt)}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OneShotFigures({ metrics }: { metrics: Metrics }) {
  const o = metrics.oneShot;
  if (!o) return <span className="muted">—</span>;
  type Episodes = { ways: number; shots: number; accuracy: number; ci95: number };
  const figure = (r: Episodes, what: string, pixels?: Episodes) => (
    <div key={`${what}${r.ways}${r.shots}`}>
      {r.ways}-way {r.shots}-shot {what}: <strong>{percent(r.accuracy)}</strong>
      <span className="muted small"> ±{percent(r.ci95)}</span>
      {pixels && <span className="muted small"> · raw pixels {percent(pixels.accuracy)}</span>}
    </div>
  );
  return (
    <>
      {figure(o.allClasses, 'all classes')}
      {o.unseen.map((r, i) =>
        figure(
          r,
          `unseen (${o.heldOutClasses.map((c) => metrics.classNames[c]).join(', ')})`,
          o.unseenRawPixels[i],
        ),
      )}
    </>
  );
}
