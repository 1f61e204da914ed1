import type { EpochRecord } from '@twinnet/core';
import { percent } from '../lib/format.ts';

/** Every epoch's figures; the transfer column only when the run measured it (runs with validation classes). */
export function EpochTable({ epochs }: { epochs: EpochRecord[] }) {
  const transfer = epochs.some((e) => e.valTransfer);
  return (
    <table className="runs epochs" data-testid="epochs">
      <thead>
        <tr>
          <th>epoch</th>
          <th>train loss</th>
          <th>validation loss</th>
          <th>train accuracy</th>
          <th>validation accuracy</th>
          <th>threshold</th>
          {transfer && <th>validation-class transfer</th>}
          <th>time</th>
        </tr>
      </thead>
      <tbody>
        {epochs.map((e) => (
          <tr key={e.epoch} data-testid="epoch-row">
            <td data-label="epoch">
              <div>{e.epoch}</div>
            </td>
            <td data-label="train loss">
              <div>{e.trainLoss.toFixed(4)}</div>
            </td>
            <td data-label="validation loss">
              <div>{e.valLoss.toFixed(4)}</div>
            </td>
            <td data-label="train accuracy">
              <div>{percent(e.trainAccuracy, 2)}</div>
            </td>
            <td data-label="validation accuracy">
              <div>{percent(e.valAccuracy, 2)}</div>
            </td>
            <td data-label="threshold">
              <div>{e.valThreshold.toFixed(3)}</div>
            </td>
            {transfer && (
              <td data-label="validation-class transfer">
                {e.valTransfer ? (
                  <div data-testid="val-transfer" data-accuracy={e.valTransfer.accuracy}>
                    {percent(e.valTransfer.accuracy)}
                    <span className="muted small">
                      {' '}
                      ±{percent(e.valTransfer.ci95)}, {e.valTransfer.ways}-way {e.valTransfer.shots}-shot
                    </span>
                  </div>
                ) : (
                  <div className="muted">—</div>
                )}
              </td>
            )}
            <td data-label="time">
              <div>
                {e.seconds.toFixed(1)} s{' '}
                <span className="muted small">
                  ({Math.round(e.pairsPerSecond).toLocaleString('en')} pairs/s)
                </span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
