import { area, extent, line, scaleLinear } from 'd3';
import { Axes, HEIGHT, Keys, MARGIN, WIDTH } from './Axes.tsx';

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
  /** A shaded interval around the line: [x, low, high] per point. */
  band?: [number, number, number][];
}

/** Lines with a dot per point (a one-epoch run is a single dot), drawn on the server as SVG. */
export function LineChart({
  title,
  series,
  xLabel,
  yLabel,
  yDomain,
  xFormat,
  yFormat,
  integerX = false,
}: {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  yDomain?: [number, number];
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  integerX?: boolean;
}) {
  const all = series.flatMap((s) => [
    ...s.points,
    ...(s.band ?? []).flatMap(([bx, lo, hi]): [number, number][] => [
      [bx, lo],
      [bx, hi],
    ]),
  ]);
  const [xMin, xMax] = extent(all, (p) => p[0]) as [number, number];
  const [yMin, yMax] = yDomain ?? (extent(all, (p) => p[1]) as [number, number]);
  const x = scaleLinear()
    .domain(xMin === xMax ? [xMin - 1, xMax + 1] : [xMin, xMax])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain(yMin === yMax ? [yMin - 1, yMax + 1] : [yMin, yMax])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const path = line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const shade = area<[number, number, number]>()
    .x((p) => x(p[0]))
    .y0((p) => y(p[1]))
    .y1((p) => y(p[2]));
  // Epochs: every one when there are few, else round ones; never a fractional or empty tick.
  const xTicks = integerX
    ? xMax - xMin <= 12
      ? Array.from({ length: xMax - xMin + 1 }, (_, i) => xMin + i)
      : x.ticks(8).filter(Number.isInteger)
    : 6;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <Axes x={x} y={y} xLabel={xLabel} yLabel={yLabel} xTicks={xTicks} {...{ xFormat, yFormat }} />
        {series.map((s) => (
          <g key={s.name}>
            {s.band && <path d={shade(s.band) ?? ''} fill={s.color} fillOpacity={0.15} stroke="none" />}
            {s.band?.map(([bx, lo, hi]) => (
              <line key={`band ${bx}`} x1={x(bx)} x2={x(bx)} y1={y(lo)} y2={y(hi)} stroke={s.color} />
            ))}
            <path
              d={path(s.points) ?? ''}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
            />
            {s.points.map(([px, py]) => (
              <circle key={`${px},${py}`} cx={x(px)} cy={y(py)} r={3} fill={s.color} />
            ))}
          </g>
        ))}
      </svg>
      <Keys items={series} />
    </figure>
  );
}
