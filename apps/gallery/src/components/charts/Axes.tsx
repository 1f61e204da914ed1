import type { ScaleLinear } from 'd3';

export const WIDTH = 420;
export const HEIGHT = 260;
export const MARGIN = { top: 16, right: 16, bottom: 40, left: 60 };

/** Left and bottom axes with ticks and labels, in the chart's viewBox units. */
export function Axes({
  x,
  y,
  xLabel,
  yLabel,
  xTicks = 6,
  yTicks = 5,
  xFormat = (v) => String(v),
  yFormat = (v) => String(v),
}: {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  xLabel: string;
  yLabel: string;
  xTicks?: number | number[];
  yTicks?: number;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}) {
  const [y0] = y.range() as [number, number];
  const [x0, x1] = x.range() as [number, number];
  const xs = Array.isArray(xTicks) ? xTicks : x.ticks(xTicks);
  return (
    <g className="axes">
      {y.ticks(yTicks).map((t) => (
        <g key={`y${t}`}>
          <line className="grid" x1={x0} x2={x1} y1={y(t)} y2={y(t)} />
          <text x={x0 - 6} y={y(t)} dy="0.32em" textAnchor="end">
            {yFormat(t)}
          </text>
        </g>
      ))}
      {xs.map((t) => (
        <text key={`x${t}`} x={x(t)} y={y0 + 16} textAnchor="middle">
          {xFormat(t)}
        </text>
      ))}
      <line className="axis" x1={x0} x2={x1} y1={y0} y2={y0} />
      <line className="axis" x1={x0} x2={x0} y1={y0} y2={(y.range() as number[])[1]} />
      <text className="axis-label" x={(x0 + x1) / 2} y={HEIGHT - 4} textAnchor="middle">
        {xLabel}
      </text>
      <text
        className="axis-label"
        transform={`translate(12 ${(MARGIN.top + y0) / 2}) rotate(-90)`}
        textAnchor="middle"
      >
        {yLabel}
      </text>
    </g>
  );
}

/** A row of coloured keys, in HTML so it wraps on narrow screens. */
export function Keys({ items }: { items: { name: string; color: string; dashed?: boolean }[] }) {
  return (
    <div className="chart-keys">
      {items.map((item) => (
        <span key={item.name}>
          <span
            className="key-line"
            style={{ borderTopColor: item.color, borderTopStyle: item.dashed ? 'dashed' : 'solid' }}
          />
          {item.name}
        </span>
      ))}
    </div>
  );
}
