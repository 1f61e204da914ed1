import { describe, expect, it } from 'vitest';
import { parseMatchArgs, UsageError } from '../src/args.ts';

describe('parseMatchArgs', () => {
  it('strips the `--` pnpm forwards and resolves paths against the directory the user typed in', () => {
    const request = parseMatchArgs(
      ['--', '--run', 'artifacts/run', '--support', '/abs/support', '--query', 'q.png', '--k', '2', '--json'],
      '/repo',
    );
    expect(request).toMatchObject({
      run: '/repo/artifacts/run',
      support: '/abs/support',
      query: '/repo/q.png',
      k: 2,
      json: true,
      backend: 'auto',
    });
  });

  it('accepts saved supports instead of a folder, and saving without querying', () => {
    expect(parseMatchArgs(['--run', 'r', '--supports', 's.json', '--query', 'q'], '/w').supports).toBe(
      '/w/s.json',
    );
    expect(
      parseMatchArgs(['--run', 'r', '--support', 'd', '--save-supports', 's.json'], '/w').query,
    ).toBeUndefined();
  });

  it('says what is missing or wrong', () => {
    const fails = (args: string[], message: RegExp) => {
      expect(() => parseMatchArgs(args, '/w')).toThrow(UsageError);
      expect(() => parseMatchArgs(args, '/w')).toThrow(message);
    };
    fails(['--support', 'd', '--query', 'q'], /--run is required/);
    fails(['--run', 'r', '--query', 'q'], /--support DIR or --supports FILE/);
    fails(['--run', 'r', '--support', 'd'], /--query is required/);
    fails(['--run', 'r', '--support', 'd', '--query', 'q', '--k', '0'], /--k expects a whole number/);
    fails(
      ['--run', 'r', '--support', 'd', '--query', 'q', '--threshold', 'x'],
      /--threshold expects a positive/,
    );
    fails(['--run', 'r', '--support', 'd', '--query', 'q', '--backend', 'gpu'], /--backend expects one of/);
    fails(['--run', 'r', '--bogus'], /Unknown option '--bogus'/);
  });
});
