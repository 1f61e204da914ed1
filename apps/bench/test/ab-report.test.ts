import { describe, expect, it } from 'vitest';
import { shortRunChecks } from '../src/ab/accuracy.ts';
import { FIGURES, type FigureOutcome } from '../src/ab/figures.ts';
import type { Verdict } from '../src/ab/interval.ts';
import { abPlan } from '../src/ab/protocol.ts';
import { abExitCode, abReport } from '../src/ab/report.ts';
import type { AbResult } from '../src/ab/run.ts';
import type { ShortRunRaw } from '../src/ours/short-run.ts';

const outcome = (index: number, verdict: Verdict, ratio = 1): FigureOutcome => ({
  figure: FIGURES[index]!,
  old: 1000,
  new: 1000 * ratio,
  interval: { ratio, low: ratio * 0.97, high: ratio * 1.03, rounds: 40 },
  verdict,
});

function result(
  verdicts: Verdict[],
  accuracy: { old: number; new: number } = { old: 0.89, new: 0.89 },
): AbResult {
  const run = (variant: 'contrastive' | 'bce', value: number) =>
    ({ variant, accuracy: value, testDigest: 't', validationDigest: 'v' }) as ShortRunRaw;
  const checks = shortRunChecks(
    [run('contrastive', accuracy.old), run('bce', 0.84)],
    [run('contrastive', accuracy.new), run('bce', 0.84)],
  );
  const side = { commit: 'abc123def456', dirty: false, backend: 'wasm (simd, 1 thread)', dir: '/x' };
  return {
    kind: 'compare-ref',
    createdAt: '2026-12-02T10:00:00.000Z',
    wallSeconds: 250,
    measureSeconds: 150,
    ref: 'HEAD',
    old: side,
    new: { ...side, dirty: true },
    machine: {
      cpuModel: 'AMD EPYC',
      logicalCores: 2,
      totalMemoryMiB: 24000,
      loadAverage: { start: [1, 1, 1], end: [1, 1, 1] },
    },
    protocol: abPlan(false, null, null).protocol,
    threshold: 0.1,
    units: { contrastive: { train: 256, embed: 1536 }, bce: { train: 128, embed: 512 } },
    rounds: { old: [], new: [], first: [], cycle: [] },
    figures: verdicts.map((v, i) => outcome(i, v, v === 'regression' ? 0.8 : 1)),
    accuracy: checks.checks,
    notes: checks.notes,
  };
}

describe('--compare REF verdicts', () => {
  const allOk: Verdict[] = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'];

  it('exits 0 when every figure is ok, 3 when one is inconclusive, 1 on a regression of speed or accuracy', () => {
    expect(abExitCode(result(allOk))).toBe(0);
    expect(abExitCode(result(['ok', 'inconclusive', 'ok', 'ok', 'ok', 'ok']))).toBe(3);
    expect(abExitCode(result(['regression', 'inconclusive', 'ok', 'ok', 'ok', 'ok']))).toBe(1);
    expect(abExitCode(result(allOk, { old: 0.89, new: 0.885 }))).toBe(1);
    expect(abExitCode(result(allOk, { old: 0.89, new: 0.888 }))).toBe(0);
  });

  it('prints each figure with its interval and verdict, then the accuracy and the summary', () => {
    const text = abReport(result(['regression', 'inconclusive', 'ok', 'ok', 'ok', 'ok']));
    expect(text).toContain(
      '--compare HEAD: REF abc123def456 against the working tree (abc123def456 with uncommitted changes)',
    );
    expect(text).toMatch(
      /small tower training, batch 64 pairs +pairs per CPU s +1,000 +800 +0\.800× \[0\.776×, 0\.824×\] +SLOWER/,
    );
    expect(text).toMatch(/small tower embedding .* inconclusive/);
    expect(text).toContain('contrastive short-run test accuracy: 89.00% on both sides (identical)  ok');
    expect(text).toMatch(/a rate ratio below 0\.909×, a latency ratio above 1\.100×/);
    expect(text.split('\n').at(-1)).toBe('1 regression: small tower training, batch 64 pairs (exit 1)');
  });

  it('shows a figure REF predates as skipped, which decides nothing', () => {
    const r = result(allOk);
    const skipped = (index: number): FigureOutcome => ({
      figure: FIGURES[index]!,
      old: null,
      new: null,
      interval: null,
      verdict: 'skipped',
      reason: 'not measured on both sides',
    });
    r.figures.push(skipped(6), skipped(7));
    r.notes.push(
      "REF's bench worker does not measure vgg-classifier (REF predates it): its figures are skipped, not compared",
    );
    expect(abExitCode(r)).toBe(0);
    const text = abReport(r);
    expect(text).toMatch(
      /vgg tower training, cosine classifier, batch 224 images +images per CPU s +— +— +— +skipped \(not at REF\)/,
    );
    expect(text).toMatch(/vgg tower embedding +images per CPU s +— +— +— +skipped \(not at REF\)/);
    expect(text).toContain("REF's bench worker does not measure vgg-classifier (REF predates it)");
    expect(text.split('\n').at(-1)).toBe('no regressions (exit 0)');
  });

  it('notes short runs that scored different pairs', () => {
    const run = (digest: string) =>
      [{ variant: 'contrastive', accuracy: 0.9, testDigest: digest, validationDigest: 'v' }] as ShortRunRaw[];
    expect(shortRunChecks(run('a'), run('b')).notes).toEqual([
      'contrastive short run: REF and the working tree scored different pairs (the pair sampler changed)',
    ]);
  });
});
