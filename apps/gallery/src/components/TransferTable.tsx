import Link from 'next/link';
import { percent, points } from '../lib/format.ts';
import { REPORTED_SHOTS } from '../lib/open-set.ts';
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
import { CrossDatasetFigures, CutFiguresAt } from './OpenSetFigures.tsx';

/**
 * Every hold-out run: nearest-prototype episodes on its never-trained test classes beside raw pixels on the
 * same episodes, the open-set cuts at 1 and 5 supports calibrated on its validation classes as they do on the test
 * classes, and episodes on another dataset beside raw pixels. On narrow screens each row stacks into a card, as
 * the runs table does.
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
          {REPORTED_SHOTS.map((k) => (
            <th key={k}>
              open set, {k}-shot
              <div className="muted small">test episodes · the cut</div>
            </th>
          ))}
          <th>
            other datasets
            <div className="muted small">model · raw pixels</div>
          </th>
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
              <OpenSetCells row={row} />
              <td data-label="other datasets">
                <div>
                  <CrossDatasetFigures cross={row.crossDataset} />
                </div>
              </td>
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

/** The open set at 1 and at 5 supports, or a dash in each saying why there is none. */
function OpenSetCells({ row }: { row: TransferRow }) {
  const { openSet } = row;
  if (!openSet) {
    const why =
      openSet === null ? 'no validation classes to calibrate on' : 'run written before open-set calibration';
    return REPORTED_SHOTS.map((k) => (
      <td key={k} data-label={`open set, ${k}-shot`}>
        <div className="muted" data-testid="open-set-at" data-shots={k} data-threshold="" data-auroc="">
          — <span className="small">({why})</span>
        </div>
      </td>
    ));
  }
  return row.cutsAt.map((at) => (
    <td key={at.shots} data-label={`open set, ${at.shots}-shot`}>
      <div>
        <CutFiguresAt at={at} measure={openSet.measure} />
        {at.cut && (
          <div className="muted small">
            for {targetLabel(openSet.target)} on validation
            {at.cut.test &&
              `; ${at.cut.test.episodes.toLocaleString('en')} test episodes, ${at.cut.test.supportedWays} of ${at.cut.test.classes.length} classes with supports`}
          </div>
        )}
      </div>
    </td>
  ));
}
