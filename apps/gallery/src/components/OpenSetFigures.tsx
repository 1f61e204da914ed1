import type { Measure } from '@twinnet/core';
import { measureName, percent, points } from '../lib/format.ts';
import type { CrossDataset, CutAt } from '../lib/open-set.ts';

/**
 * The open-set cut at one support count and what it does on test-image episodes of the held-out classes (on
 * validation, where it was chosen, beside them): AUROC, and the share called unknown with and without supports.
 * Without a cut at that count, a dash and the reason.
 */
export function CutFiguresAt({
  at,
  measure,
  label = false,
}: {
  at: CutAt;
  measure: Measure;
  label?: boolean;
}) {
  const prefix = label ? <span className="muted">{at.shots}-shot: </span> : null;
  if (!at.cut) {
    return (
      <div
        className="muted cut-at"
        data-testid="open-set-at"
        data-shots={at.shots}
        data-threshold=""
        data-auroc=""
      >
        {prefix}— <span className="small">({at.why})</span>
      </div>
    );
  }
  const { cut } = at;
  const rates = cut.test ?? cut.validation;
  return (
    <div
      className="cut-at"
      data-testid="open-set-at"
      data-shots={at.shots}
      data-threshold={cut.threshold}
      data-auroc={cut.test?.auroc ?? ''}
    >
      <div>
        {prefix}AUROC <strong>{rates.auroc.toFixed(3)}</strong>
        <span className="muted small">
          {cut.test ? ` (validation ${cut.validation.auroc.toFixed(3)})` : ' on validation: no test figures'}
        </span>
      </div>
      <div data-testid="unknown-rates">
        unknown <strong>{percent(rates.supportedUnknown)}</strong> with supports,{' '}
        <strong>{percent(rates.unsupportedUnknown)}</strong> without
      </div>
      <div className="muted small" data-testid="open-set-cut">
        cut: {measureName(measure)} {measure === 'distance' ? '<' : '>'} {cut.threshold.toFixed(3)}
        {cut.met ? '' : ' (target not met)'}
        {at.perCount ? '' : ', the one cut for every count'}
      </div>
    </div>
  );
}

/** N-way 1-shot on each other dataset's test images beside raw pixels on the same episodes, or why none. */
export function CrossDatasetFigures({ cross }: { cross: CrossDataset }) {
  if (!cross.figures) {
    return (
      <div className="muted" data-testid="cross-dataset" data-accuracy="">
        — <span className="small">({cross.why})</span>
      </div>
    );
  }
  return (
    <>
      {cross.figures.map(({ dataset, result, rawPixels }) => (
        <div
          key={dataset}
          data-testid="cross-dataset"
          data-dataset={dataset}
          data-accuracy={result.accuracy}
          data-pixels={rawPixels.accuracy}
        >
          <div>
            {dataset} {result.ways}-way {result.shots}-shot: <strong>{percent(result.accuracy)}</strong>
            <span className="muted small"> ±{percent(result.ci95)}</span>
          </div>
          <div className="small">
            <span className="muted">
              pixels {percent(rawPixels.accuracy)} ±{percent(rawPixels.ci95)}
            </span>{' '}
            <span className={result.accuracy >= rawPixels.accuracy ? 'right' : 'wrong'}>
              {points(result.accuracy - rawPixels.accuracy)}
            </span>
            <span className="muted"> · {result.episodes.toLocaleString('en')} episodes</span>
          </div>
        </div>
      ))}
    </>
  );
}
