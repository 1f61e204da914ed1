import { line, scaleLinear } from 'd3';
import { Axes, HEIGHT, MARGIN, WIDTH } from './Axes.tsx';

interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

/** The test ROC curve with the chance diagonal and the operating point of the validation threshold. */
export function RocChart({
  roc,
  auc,
  threshold,
  lowerIsSame,
}: {
  roc: RocPoint[];
  auc: number;
  threshold: number;
  lowerIsSame: boolean;
}) {
  const x = scaleLinear()
    .domain([0, 1])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const path = line<RocPoint>()
    .x((p) => x(p.fpr))
    .y((p) => y(p.tpr));
  // The last point still predicted "same" at the threshold: the curve is ordered from most to least alike.
  const admitted = roc.filter(
    (p, i) => i > 0 && (lowerIsSame ? p.threshold < threshold : p.threshold > threshold),
  );
  const at = admitted.at(-1) ?? roc[0];
  const title = `ROC curve (AUC ${auc.toFixed(4)})`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <Axes
          x={x}
          y={y}
          xLabel="false positive rate"
          yLabel="true positive rate"
          xFormat={(v) => v.toFixed(1)}
          yFormat={(v) => v.toFixed(1)}
        />
        <line className="diagonal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        <path d={path(roc) ?? ''} fill="none" stroke="#264653" strokeWidth={2} />
        {at && (
          <g>
            <circle cx={x(at.fpr)} cy={y(at.tpr)} r={4.5} fill="#e9c46a" stroke="#111" />
            <text className="threshold-label" x={x(at.fpr) + 8} y={y(at.tpr) + 14}>
              at threshold: TPR {at.tpr.toFixed(2)}, FPR {at.fpr.toFixed(2)}
            </text>
          </g>
        )}
      </svg>
    </figure>
  );
}
