import { describeReport, runFuzz } from '@twinnet/fuzz';
import { describe, expect, it } from 'vitest';

/** A small fixed-seed run; `pnpm --filter trainer fuzz` runs the long one. */
const CASES = 300;

describe('fuzzing a checkpoint’s state.json', () => {
  it('ends every generated input in a result or a refusal that names the checkpoint, within the bounds', async () => {
    const report = await runFuzz(new URL('./fuzz/state.fuzz.ts', import.meta.url), {
      seed: 25,
      cases: CASES,
    });
    const summary = describeReport(report);
    expect(report.workerError, summary).toBeUndefined();
    expect(report.hang, summary).toBeUndefined();
    expect(report.crashCount, summary).toBe(0);
    expect(report.results + report.refusals, summary).toBe(CASES);
    expect(report.results, summary).toBeGreaterThan(0);
    expect(report.refusals, summary).toBeGreaterThan(0);
  });
});
