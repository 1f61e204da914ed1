import { describe, expect, it } from 'vitest';
import { dateTickFormat } from '../src/lib/date-ticks.ts';

describe('dateTickFormat', () => {
  const at = (iso: string) => Date.parse(iso);

  it('tells apart bench runs of one day by their time', () => {
    const dates = [at('2026-11-23T09:15:00Z'), at('2026-11-23T16:40:00Z')];
    const labels = dates.map(dateTickFormat(dates));
    expect(labels).toEqual(['11-23 09:15', '11-23 16:40']);
  });

  it('shows month-day alone over longer spans', () => {
    const dates = [at('2026-11-01T09:15:00Z'), at('2026-11-23T16:40:00Z')];
    expect(dates.map(dateTickFormat(dates))).toEqual(['11-01', '11-23']);
  });
});
