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

/** A vertical line at one x (a chosen cut), labelled, with rings on the values it picks out. */
export interface Mark {
  x: number;
  label: string;
  points?: { y: number; color: string; name: string }[];
}

/**
 * Lines with a dot per point (a one-epoch run is a single dot), drawn on the server as SVG. Each dot carries its
 * values (data-x, data-y), so what is drawn can be read back.
 */
export function LineChart({
  title,
  series,
  xLabel,
  yLabel,
  xDomain,
  yDomain,
  xFormat,
  yFormat,
  integerX = false,
  marks = [],
  markKey,
  dotRadius = 3,
  pointTitle,
  testId,
  data = {},
}: {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** Fixed x range (e.g. shared by small multiples); by default the data's. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  integerX?: boolean;
  marks?: Mark[];
  /** The keys' name for the marks' dashed line; no key without it. */
  markKey?: string;
  dotRadius?: number;
  /** A dot's tooltip. */
  pointTitle?: (series: Series, point: [number, number]) => string;
  testId?: string;
  /** data-* attributes of the figure, by name without the prefix. */
  data?: Record<string, string | number>;
}) {
  const all = series.flatMap((s) => [
    ...s.points,
    ...(s.band ?? []).flatMap(([bx, lo, hi]): [number, number][] => [
      [bx, lo],
      [bx, hi],
    ]),
  ]);
  const [xMin, xMax] = xDomain ?? (extent(all, (p) => p[0]) as [number, number]);
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
  const dataAttributes = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, v]));
  const [, plotRight] = x.range() as [number, number];
  return (
    <figure className="chart" data-testid={testId} {...dataAttributes}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <Axes x={x} y={y} xLabel={xLabel} yLabel={yLabel} xTicks={xTicks} {...{ xFormat, yFormat }} />
        {series.map((s) => (
          <g key={s.name} data-series={s.name}>
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
            {s.points.map(([px, py], i) => (
              <circle
                // biome-ignore lint/suspicious/noArrayIndexKey: a series' points keep their order
                key={i}
                cx={x(px)}
                cy={y(py)}
                r={dotRadius}
                fill={s.color}
                data-x={px}
                data-y={py}
              >
                {pointTitle && <title>{pointTitle(s, [px, py])}</title>}
              </circle>
            ))}
          </g>
        ))}
        {marks.map((m) => {
          // The label sits on the side of the line with room for it.
          const right = x(m.x) > (MARGIN.left + plotRight) / 2;
          return (
            <g key={`mark ${m.x}`} data-testid="chart-mark" data-x={m.x}>
              <line
                className="threshold"
                x1={x(m.x)}
                x2={x(m.x)}
                y1={MARGIN.top}
                y2={HEIGHT - MARGIN.bottom}
              />
              <text
                className="threshold-label"
                x={x(m.x) + (right ? -4 : 4)}
                y={MARGIN.top + 10}
                textAnchor={right ? 'end' : 'start'}
              >
                {m.label}
              </text>
              {m.points?.map((p) => (
                <circle
                  key={p.name}
                  cx={x(m.x)}
                  cy={y(p.y)}
                  r={4.5}
                  fill={p.color}
                  stroke="#111"
                  data-series={p.name}
                  data-y={p.y}
                >
                  <title>{`${m.label}: ${p.name} ${yFormat ? yFormat(p.y) : p.y}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <Keys items={markKey ? [...series, { name: markKey, color: '#111', dashed: true }] : series} />
    </figure>
  );
}
