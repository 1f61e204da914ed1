import { describeReport, runFuzz } from '@twinnet/fuzz';
import { describe, expect, it } from 'vitest';

/** A small fixed-seed run per input kind; `pnpm --filter match fuzz` runs the long one. */
const CASES = 250;
const SEED = 25;

describe.each(['png', 'jpeg', 'supports', 'metrics'])('fuzzing %s files', (kind) => {
  it('ends every generated input in a result or a refusal that names the file, within the bounds', async () => {
    const report = await runFuzz(new URL(`./fuzz/${kind}.fuzz.ts`, import.meta.url), {
      seed: SEED,
      cases: CASES,
    });
    const summary = describeReport(report);
    expect(report.workerError, summary).toBeUndefined();
    expect(report.hang, summary).toBeUndefined();
    expect(report.crashCount, summary).toBe(0);
    expect(report.results + report.refusals, summary).toBe(CASES);
    // The generators reach both outcomes: the bounds hold on inputs that pass as well as on those refused.
    expect(report.results, summary).toBeGreaterThan(0);
    expect(report.refusals, summary).toBeGreaterThan(0);
  });
});
