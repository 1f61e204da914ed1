import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdit, damagedJson, describeReport, runFuzz } from '../src/index.ts';

const spec = (name: string) => new URL(`./specs/${name}.ts`, import.meta.url);

describe('runFuzz', () => {
  it('counts every case as a result or a refusal, the same for the same seed', async () => {
    const report = await runFuzz(spec('sound'), { seed: 7, cases: 300 });
    expect(report.cases).toBe(300);
    expect(report.results + report.refusals).toBe(300);
    expect(report.refusals).toBeGreaterThan(0);
    expect(report.crashCount).toBe(0);
    const again = await runFuzz(spec('sound'), { seed: 7, cases: 300 });
    expect([again.results, again.refusals]).toEqual([report.results, report.refusals]);
    expect(describeReport(report)).toMatch(
      /^sound: 300 cases \(seed 7\): \d+ results, \d+ refusals, 0 crashes, /,
    );
  });

  it('reports a library error that is not a refusal as a crash, with the path to replay it', async () => {
    const report = await runFuzz(spec('crashy'), { seed: 1, cases: 200 });
    expect(report.crashCount).toBeGreaterThan(0);
    expect(report.crashes[0]).toMatchObject({
      error: expect.stringMatching(/^TypeError: /),
      path: expect.stringMatching(/^\d+$/),
    });
    expect(describeReport(report)).toMatch(/crash at path \d+: TypeError/);
  });

  it('stops a case that never ends and names it, instead of hanging itself', async () => {
    const report = await runFuzz(spec('hangs'), { seed: 3, cases: 200, caseSeconds: 1 });
    expect(report.hang).toEqual({ path: expect.stringMatching(/^\d+$/), seconds: 1 });
    expect(describeReport(report)).toMatch(/HANG at case \d+ \(over 1 s\)/);
  });
});

describe('mutations', () => {
  it('edit bytes at positions taken modulo the length', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    expect([...applyEdit(bytes, { op: 'flip', at: 6, bit: 1 })]).toEqual([1, 0, 3, 4, 5]);
    expect([...applyEdit(bytes, { op: 'truncate', at: 3 })]).toEqual([1, 2, 3]);
    expect([...applyEdit(bytes, { op: 'remove', at: 1, length: 2 })]).toEqual([1, 4, 5]);
    expect([...applyEdit(bytes, { op: 'word', at: 0, value: 0xffffffff })]).toEqual([255, 255, 255, 255, 5]);
    expect([...applyEdit(new Uint8Array(0), { op: 'set', at: 4, value: 9 })]).toEqual([]);
  });

  it('make JSON texts near a valid one, including numbers JSON reads as Infinity', () => {
    const texts = fc.sample(damagedJson({ a: 1, b: [2, 3], c: { d: 'x' } }), { seed: 5, numRuns: 400 });
    expect(texts.some((t) => t.includes('1e400'))).toBe(true);
    expect(
      texts.some(
        (t) =>
          t.length > 0 &&
          (() => {
            try {
              JSON.parse(t);
              return false;
            } catch {
              return true;
            }
          })(),
      ),
    ).toBe(true);
    expect(new Set(texts).size).toBeGreaterThan(100);
  });
});
