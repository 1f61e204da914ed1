import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.ts';
import { parseEvaluateArgs } from '../src/evaluate.ts';

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
