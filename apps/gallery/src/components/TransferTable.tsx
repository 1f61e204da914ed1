import type { OpenSet } from '@twinnet/core';
import Link from 'next/link';
import { measureName, percent, points } from '../lib/format.ts';
import { classesLabel } from '../lib/server/training.ts';
import {
  bestByColumn,
  type TransferCell,
  type TransferColumn,
  type TransferRow,
  targetLabel,
  transferColumns,
} from '../lib/transfer.ts';
import { demoPageUrl, runPageUrl } from '../lib/urls.ts';

/**
 * Every hold-out run: nearest-prototype episodes on its never-trained test classes beside raw pixels on the
 * same episodes, and the open-set cut calibrated on its validation classes as it does on the test classes. On
 * narrow screens each row stacks into a card, as the runs table does.
 */
export function TransferTable({ rows }: { rows: TransferRow[] }) {
  const columns = transferColumns(rows);
  const best = bestByColumn(rows);
  return (
    <table className="runs transfer" data-testid="transfer">
      <thead>
        <tr>
          <th>run</th>
          <th>never trained on</th>
          {columns.map((c) => (
            <th key={c.key}>
              unseen {c.key}
              <div className="muted small">model · raw pixels</div>
            </th>
          ))}
          <th>
            open-set AUROC
            <div className="muted small">test episodes</div>
          </th>
          <th>
            called unknown
            <div className="muted small">test episodes</div>
          </th>
          <th>open-set cut</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const names = row.classNames;
          return (
            <tr key={row.run} data-testid="transfer-row" data-run={row.run}>
              <td data-label="run">
                <div>
                  <Link href={runPageUrl(row.run)}>
                    <strong>{row.run}</strong>
                  </Link>
                  <div className="muted small">
                    {row.dataset}, {row.variant} · <Link href={demoPageUrl(row.run)}>demo →</Link>
                  </div>
                </div>
              </td>
              <td data-label="never trained on">
                <div>
                  <div>test: {classesLabel(row.heldOutClasses, names)}</div>
                  <div className="muted small" data-testid="validation-classes">
                    validation: {classesLabel(row.validationClasses, names)}
                    {row.refit && ', then refit on all seen classes'}
                  </div>
                </div>
              </td>
              {columns.map((c) => (
                <td key={c.key} data-label={`unseen ${c.key}`}>
                  <Figure
                    column={c}
                    cell={row.cells[c.key]}
                    best={best.get(`${row.dataset}\0${c.key}`) === row.cells[c.key]?.model.accuracy}
                  />
                </td>
              ))}
              <OpenSetCells openSet={row.openSet} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Figure({ column, cell, best }: { column: TransferColumn; cell?: TransferCell; best: boolean }) {
  if (!cell) return <div className="muted">—</div>;
  const { model, pixels } = cell;
  return (
    <div
      data-testid="transfer-cell"
      data-key={column.key}
      data-accuracy={model.accuracy}
      data-pixels={pixels?.accuracy}
    >
      <div className={best ? 'best-figure' : undefined}>
        <strong>{percent(model.accuracy)}</strong>
        <span className="muted small"> ±{percent(model.ci95)}</span>
      </div>
      {pixels ? (
        <div className="small">
          <span className="muted">
            pixels {percent(pixels.accuracy)} ±{percent(pixels.ci95)}
          </span>{' '}
          <span className={model.accuracy >= pixels.accuracy ? 'right' : 'wrong'}>
            {points(model.accuracy - pixels.accuracy)}
          </span>
        </div>
      ) : (
        <div className="muted small">no pixel baseline</div>
      )}
      <div className="muted small">{model.episodes.toLocaleString('en')} episodes</div>
    </div>
  );
}

function OpenSetCells({ openSet }: { openSet: OpenSet | null | undefined }) {
  if (!openSet) {
    const why =
      openSet === null ? 'no validation classes to calibrate on' : 'run written before open-set calibration';
    return (
      <>
        <td data-label="open-set AUROC">
          <div className="muted" data-testid="open-set" data-auroc="">
            — <span className="small">({why})</span>
          </div>
        </td>
        <td data-label="called unknown">
          <div className="muted">—</div>
        </td>
        <td data-label="open-set cut">
          <div className="muted">—</div>
        </td>
      </>
    );
  }
  const { test, validation } = openSet;
  const comparison = openSet.measure === 'distance' ? '<' : '>';
  return (
    <>
      <td data-label="open-set AUROC">
        <div data-testid="open-set" data-auroc={test?.auroc ?? ''}>
          <strong>{test ? test.auroc.toFixed(3) : '—'}</strong>
          <span className="muted small"> (validation {validation.auroc.toFixed(3)})</span>
          {test && (
            <div className="muted small">
              {test.episodes.toLocaleString('en')} episodes, {test.supportedWays} of {test.classes.length}{' '}
              classes with supports
            </div>
          )}
        </div>
      </td>
      <td data-label="called unknown">
        {test ? (
          <div data-testid="unknown-rates">
            <div>
              <strong>{percent(test.supportedUnknown)}</strong> <span className="small">with supports</span>
            </div>
            <div>
              <strong>{percent(test.unsupportedUnknown)}</strong> <span className="small">without</span>
            </div>
          </div>
        ) : (
          <div className="muted">— (fewer than two test classes)</div>
        )}
      </td>
      <td data-label="open-set cut">
        <div data-testid="open-set-cut">
          {measureName(openSet.measure)} {comparison} {openSet.threshold.toFixed(3)}
          <div className="muted small">
            {openSet.shots}-shot, for {targetLabel(openSet.target)}
            {openSet.met ? '' : ' (not met)'} on validation
          </div>
        </div>
      </td>
    </>
  );
}
