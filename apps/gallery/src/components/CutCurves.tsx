import type { OpenSet } from '@twinnet/core';
import { measureName, percent } from '../lib/format.ts';
import { cutCurves, runCuts } from '../lib/open-set.ts';
import { targetLabel } from '../lib/transfer.ts';
import { LineChart } from './charts/LineChart.tsx';

const PRECISION = '#264653';
const RECALL = '#e76f51';

/**
 * The open-set cut curve per support count, as small multiples on one x axis: precision and recall of "known"
 * against the cut on the run's measure, on the validation episodes each count's cut was chosen on, with that
 * cut marked. A run written before per-count cuts kept one cut and no curve: it is stated, with a note.
 */
export function CutCurves({
  openSet,
  validation,
  heldOut,
  refit,
}: {
  openSet: OpenSet;
  /** The validation classes, by name. */
  validation: string;
  /** The held-out test classes, by name; undefined when the run holds none out. */
  heldOut: string | undefined;
  /** Whether a selection fit chose the cuts and the final model then trained on the validation classes too. */
  refit: boolean;
}) {
  const measure = measureName(openSet.measure);
  const comparison = openSet.measure === 'distance' ? '<' : '>';
  const side = openSet.measure === 'distance' ? 'below' : 'above';
  const target = targetLabel(openSet.target);
  const charted = cutCurves(openSet);
  const onWhat = refit
    ? `validation classes (${validation}) that the selection fit never trained on (it chose the cuts; the final model then trained on them too and applies the cuts unchanged)`
    : `validation classes (${validation}) that the run never trained on`;
  if (!charted) {
    const { cuts } = runCuts(openSet);
    const cut = cuts[0]!;
    return (
      <div data-testid="cut-single" data-threshold={cut.threshold} data-shots={cut.shots}>
        <p>
          One cut: {measure} {comparison} <strong>{cut.threshold.toFixed(3)}</strong>, chosen at {cut.shots}{' '}
          supports per class for {target}
          {cut.met ? '' : ' (not met)'} on {onWhat}.
        </p>
        <p className="muted small" data-testid="cut-note">
          This run was written before per-count cuts: its one cut serves labels of every support count, and
          metrics.json keeps no cut curve to draw.
        </p>
      </div>
    );
  }
  const { curves, xDomain } = charted;
  const y = (v: number) => `${Math.round(v * 100)}%`;
  return (
    <>
      <div className="charts" data-testid="cut-curves">
        {curves.map((c) => (
          <LineChart
            key={c.shots}
            testId="cut-curve"
            data={{ shots: c.shots, threshold: c.threshold }}
            title={`${c.shots}-shot cut curve (${c.shots === 1 ? '1 support' : `${c.shots} supports`} per class)`}
            xLabel={`cut on ${measure}`}
            yLabel="precision, recall"
            xDomain={xDomain}
            yDomain={[0, 1]}
            yFormat={y}
            dotRadius={1.8}
            pointTitle={(s, [cut, v]) => `cut ${cut.toFixed(4)}: ${s.name} ${percent(v)}`}
            series={[
              { name: 'precision', color: PRECISION, points: c.precision },
              { name: 'recall', color: RECALL, dashed: true, points: c.recall },
            ]}
            marks={[
              {
                x: c.threshold,
                label: `cut ${c.threshold.toFixed(3)}${c.met ? '' : ' (not met)'}`,
                points: [
                  { name: 'precision', color: PRECISION, y: c.at.precision },
                  { name: 'recall', color: RECALL, y: c.at.recall },
                ],
              },
            ]}
            markKey={`chosen cut (${target})`}
          />
        ))}
      </div>
      <p className="muted small">
        Each chart is one support count: episodes on {onWhat}, where {openSet.validation.supportedWays} of{' '}
        {openSet.validation.classes.length} classes get that many supports and the others none. A query is
        given its closest label when its {measure} is {side} the cut, else called unknown. Precision: of the
        queries given a label, the share right; recall: of the queries of classes with supports, the share
        given their right label. Each count's cut (dashed) was chosen there for {target}; a label with n
        supports takes the cut of the largest count up to n.
        {heldOut &&
          ` The held-out classes (${heldOut}) played no part: the summary gives the 1- and 5-shot cuts' figures on them.`}
      </p>
    </>
  );
}
