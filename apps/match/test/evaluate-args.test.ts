import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsSchema, preset } from '@twinnet/core';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../src/args.ts';
import { main, parseEvaluateArgs, queryClasses } from '../src/evaluate.ts';
import { validMetrics } from './fixtures.ts';

describe('match evaluate flags', () => {
  it('are checked against documented ranges', () => {
    const fails = (args: string[], message: RegExp) => {
      expect(() => parseEvaluateArgs(['--run', 'r', ...args], '/w')).toThrow(UsageError);
      expect(() => parseEvaluateArgs(['--run', 'r', ...args], '/w')).toThrow(message);
    };
    expect(parseEvaluateArgs(['--run', 'r'], '/w')).toMatchObject({
      runDir: '/w/r',
      shots: [1, 5],
      trials: 5,
      seed: 1,
      seenQueries: 2000,
      cliQueries: 300,
      withoutSupports: [],
    });
    expect(parseEvaluateArgs(['--run', 'r', '--without-supports', '9,8,9'], '/w')).toMatchObject({
      withoutSupports: [8, 9],
    });
    fails(['--without-supports', 'nine'], /--without-supports expects class numbers 0-255 .*got 'nine'/);
    fails(['--shots', '1,0'], /^--shots must be a whole number from 1 to 100, got '0'$/);
    fails(['--shots', '1,,5'], /--shots must be .*got ''/);
    fails(['--trials', '1000'], /--trials must be a whole number from 1 to 100/);
    fails(['--seed', '-1'], /--seed must be a whole number from 0 to 2147483647/);
    fails(['--seen-queries', '0'], /--seen-queries must be a whole number from 1 to 10000/);
    fails(['--cli-queries', '1e6'], /--cli-queries must be .*got '1e6'/);
    fails(['--backend', 'gpu'], /--backend expects one of/);
    expect(() => parseEvaluateArgs([], '/w')).toThrow(/--run is required/);
  });
});

describe('match evaluate query classes', () => {
  const classNames = Array.from({ length: 10 }, (_, c) => String(c));
  const run = (validationClasses: number[], heldOutClasses = [7, 8, 9]) => ({
    run: 'r',
    classNames,
    recipe: { heldOutClasses, validationClasses } as never,
  });

  it('gives held-out classes supports; never-seen are the validation classes, or those left without supports', () => {
    expect(queryClasses(run([2, 4]), [], '/w/r')).toEqual({
      heldOut: [7, 8, 9],
      neverSeen: [2, 4],
      seen: [0, 1, 3, 5, 6],
    });
    // A refit run trained on every seen class: a held-out class without supports is its never-seen test.
    expect(queryClasses(run([]), [9], '/w/r')).toEqual({
      heldOut: [7, 8],
      neverSeen: [9],
      seen: [0, 1, 2, 3, 4, 5, 6],
    });
  });

  it('refuses a class that is not held out, and leaving fewer than two with supports', () => {
    expect(() => queryClasses(run([]), [5], '/w/r')).toThrow(
      /--without-supports: class 5 is not one of run 'r''s held-out classes \(7,8,9\)/,
    );
    expect(() => queryClasses(run([]), [8, 9], '/w/r')).toThrow(
      /at least 2 held-out classes .*fewer --without-supports/,
    );
    expect(() => queryClasses(run([], []), [], '/w/r')).toThrow(/train it with --holdout/);
  });
});

describe('match evaluate exit codes', () => {
  it('exits 2 with the usage for a --without-supports class the run does not hold out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-evaluate-'));
    try {
      const metrics = MetricsSchema.parse(validMetrics(preset('mnist', 'metric', true)));
      await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const code = await main(['--run', dir, '--without-supports', '99', '--backend', 'cpu']);
      const printed = errors.mock.calls.map((c) => String(c[0])).join('\n');
      errors.mockRestore();
      expect(printed).toMatch(
        /--without-supports: class 99 is not one of run 'mnist-metric-holdout''s held-out/,
      );
      expect(printed).toMatch(/usage: pnpm --filter match evaluate/);
      expect(code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
