import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, parseMatchArgs, UsageError } from '../src/args.ts';

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

  it('takes the batch size and pixel limit, with documented defaults', () => {
    const q = ['--run', 'r', '--support', 'd', '--query', 'q'];
    expect(parseMatchArgs(q, '/w')).toMatchObject({
      batch: 256,
      maxPixels: 4096 * 4096,
      threshold: undefined,
    });
    expect(
      parseMatchArgs([...q, '--batch', '8', '--max-pixels', '1000', '--threshold', '-2.5'], '/w'),
    ).toMatchObject({ batch: 8, maxPixels: 1000, threshold: -2.5 });
  });

  it('says what is missing or wrong', () => {
    const fails = (args: string[], message: RegExp) => {
      expect(() => parseMatchArgs(args, '/w')).toThrow(UsageError);
      expect(() => parseMatchArgs(args, '/w')).toThrow(message);
    };
    // Without --run: the metric run on every MNIST class, in the repository's artifacts folder.
    expect(parseMatchArgs(['--support', 'd', '--query', 'q'], '/w').run).toBe(DEFAULT_RUN);
    expect(DEFAULT_RUN).toMatch(/artifacts\/mnist-metric$/);
    fails(['--run', 'r', '--query', 'q'], /--support DIR or --supports FILE/);
    fails(['--run', 'r', '--support', 'd'], /--query is required/);
    const q = ['--run', 'r', '--support', 'd', '--query', 'q'];
    fails([...q, '--k', '0'], /^--k must be a whole number from 1 to 1000, got '0'$/);
    fails([...q, '--k', '1001'], /--k must be .*got '1001'/);
    fails([...q, '--k', ''], /--k must be .*got ''/);
    fails([...q, '--threshold', 'x'], /^--threshold must be a number from -1000000 to 1000000, got 'x'$/);
    fails([...q, '--threshold', 'NaN'], /got 'NaN'/);
    fails([...q, '--threshold', '1e999'], /got '1e999'/);
    fails([...q, '--batch', '0'], /^--batch must be a whole number from 1 to 4096, got '0'$/);
    fails([...q, '--batch', '5000'], /--batch must be .*got '5000'/);
    fails(
      [...q, '--max-pixels', '2.5'],
      /^--max-pixels must be a whole number from 1 to 100000000, got '2.5'$/,
    );
    fails([...q, '--max-pixels', '1e9'], /--max-pixels must be .*got '1e9'/);
    fails(['--run', 'r', '--support', 'd', '--query', 'q', '--backend', 'gpu'], /--backend expects one of/);
    fails(['--run', 'r', '--bogus'], /Unknown option '--bogus'/);
  });
});
