import { max, scaleLinear } from 'd3';
import { Axes, HEIGHT, Keys, MARGIN, WIDTH } from './Axes.tsx';

const SAME = '#2a9d8f';
const DIFFERENT = '#e76f51';

/** Score histogram of same-class and different-class test pairs, overlaid, with the threshold marked. */
export function Histogram({
  title,
  edges,
  same,
  different,
  threshold,
  scoreName,
}: {
  title: string;
  edges: number[];
  same: number[];
  different: number[];
  threshold: number;
  scoreName: string;
}) {
  const lo = edges[0]!;
  const hi = edges.at(-1)!;
  const x = scaleLinear()
    .domain([Math.min(lo, threshold), Math.max(hi, threshold)])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, max([...same, ...different]) ?? 1])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const bars = (counts: number[], color: string, name: string) =>
    counts.map((count, i) => (
      <rect
        key={`${name}${edges[i]}`}
        x={x(edges[i]!)}
        width={Math.max(0.5, x(edges[i + 1]!) - x(edges[i]!) - 0.5)}
        y={y(count)}
        height={y(0) - y(count)}
        fill={color}
        opacity={0.6}
      >
        <title>{`${name}: ${count} pairs with ${scoreName} ${edges[i]!.toFixed(3)}–${edges[i + 1]!.toFixed(3)}`}</title>
      </rect>
    ));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <Axes x={x} y={y} xLabel={scoreName} yLabel="test pairs" xFormat={(v) => v.toFixed(2)} />
        {bars(different, DIFFERENT, 'different class')}
        {bars(same, SAME, 'same class')}
        <line
          className="threshold"
          x1={x(threshold)}
          x2={x(threshold)}
          y1={MARGIN.top}
          y2={HEIGHT - MARGIN.bottom}
        />
        <text className="threshold-label" x={x(threshold) + 4} y={MARGIN.top + 10}>
          threshold {threshold.toFixed(3)}
        </text>
      </svg>
      <Keys
        items={[
          { name: 'same class', color: SAME },
          { name: 'different class', color: DIFFERENT },
          { name: 'threshold (chosen on validation)', color: '#111', dashed: true },
        ]}
      />
    </figure>
  );
}
