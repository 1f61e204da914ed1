'use client';

import { format, schemeTableau10 } from 'd3';
import { useMemo, useState } from 'react';
import { type BenchPoint, benchMetrics } from '../lib/bench.ts';
import { dateTickFormat } from '../lib/date-ticks.ts';
import { LineChart } from './charts/LineChart.tsx';

/** bench/history.jsonl over time: one line per variant and backend, for a figure the reader picks. */
export function BenchChart({ points }: { points: BenchPoint[] }) {
  const metrics = useMemo(() => benchMetrics(points), [points]);
  const [metric, setMetric] = useState(metrics[0] ?? '');
  const series = useMemo(() => {
    const bySeries = new Map<string, [number, number][]>();
    for (const point of points) {
      const value = point.values[metric];
      if (value === undefined) continue;
      const line = bySeries.get(point.series) ?? [];
      line.push([Date.parse(point.date), value]);
      bySeries.set(point.series, line);
    }
    return [...bySeries].map(([name, line], i) => ({
      name,
      color: schemeTableau10[i % schemeTableau10.length]!,
      points: line,
    }));
  }, [points, metric]);
  const xFormat = useMemo(() => dateTickFormat(points.map((p) => Date.parse(p.date))), [points]);
  if (metrics.length === 0) return null;
  return (
    <div className="bench" data-testid="bench-chart">
      <label className="small">
        metric{' '}
        <select value={metric} onChange={(e) => setMetric(e.target.value)}>
          {metrics.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <LineChart
        title={`${metric} per bench run`}
        series={series}
        xLabel="date (UTC)"
        yLabel={metric}
        xFormat={xFormat}
        yFormat={format('~s')}
      />
    </div>
  );
}
