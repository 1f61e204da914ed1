import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.ts';
import { main } from '../src/cli.ts';
import { syntheticResult, withAccuracy, withSpeed } from './fixtures.ts';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

async function files(current: unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-bench-cli-'));
  made.push(dir);
  const base = join(dir, 'base.json');
  const now = join(dir, 'current.json');
  await writeFile(base, JSON.stringify(syntheticResult()));
  await writeFile(now, typeof current === 'string' ? current : JSON.stringify(current));
  return { base, now, dir };
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('pnpm bench --compare', () => {
  it('exits 0 for an equal or slower result, 1 for a less accurate one', async () => {
    const equal = await files(syntheticResult());
    expect((await run(['--', '--compare', equal.base, '--current', equal.now])).code).toBe(0);

    // Speed against a stored baseline is information; --compare REF decides it.
    const slower = await files(withSpeed(syntheticResult(), 0.8));
    const slow = await run(['--compare', slower.base, '--current', slower.now]);
    expect(slow.code).toBe(0);
    expect(slow.out).toMatch(
      /info contrastive batch 64 training throughput per CPU second: ÷ PyTorch .*−20\.0%.*check with --compare REF/,
    );

    const worse = await files(withAccuracy(syntheticResult(), -0.01));
    const bad = await run(['--compare', worse.base, '--current', worse.now]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL contrastive short-run test accuracy: 89\.00% vs 90\.00% \(−1\.00 points/);
  });

  it('exits 2 with a clear message for a missing or malformed file', async () => {
    const { base, dir } = await files('{ not json');
    const missing = await run(['--compare', join(dir, 'missing.json'), '--current', base]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing.json: no such bench result');

    const malformed = await run(['--compare', base, '--current', join(dir, 'current.json')]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/current\.json: not valid JSON/);
  });

  it('exits 2 on unknown flags and --current without --compare', async () => {
    expect((await run(['--fast'])).code).toBe(2);
    const alone = await run(['--current', 'x.json']);
    expect(alone.code).toBe(2);
    expect(alone.err).toContain('--current goes with --compare');
  });
});

describe('pnpm bench --compare REF', () => {
  it('takes a git ref, HEAD by default, and a .json or existing file as a stored result', () => {
    expect(parseBenchArgs(['--compare']).compareRef).toBe('HEAD');
    expect(parseBenchArgs(['--', '--compare', '--quick'])).toMatchObject({ compareRef: 'HEAD', quick: true });
    const ref = parseBenchArgs([
      '--compare',
      'main',
      '--rounds',
      '20',
      '--max-seconds',
      '0',
      '--threshold',
      '5',
    ]);
    expect(ref).toMatchObject({
      compare: null,
      compareRef: 'main',
      rounds: 20,
      maxSeconds: 0,
      threshold: 0.05,
    });
    expect(parseBenchArgs(['--compare', 'HEAD~3']).threshold).toBe(0.1);
    const file = parseBenchArgs(['--compare', 'bench/baseline.json']);
    expect(file.compareRef).toBeNull();
    expect(file.compare).toMatch(/bench\/baseline\.json$/);
  });

  it('refuses options of the other mode', () => {
    expect(() => parseBenchArgs(['--compare', 'main', '--current', 'x.json'])).toThrow(
      '--current goes with --compare BASE.json',
    );
    expect(() => parseBenchArgs(['--compare', 'base.json', '--rounds', '10'])).toThrow(
      '--rounds goes with --compare REF',
    );
    expect(() => parseBenchArgs(['--max-seconds', '10'])).toThrow('--max-seconds goes with --compare REF');
    expect(() => parseBenchArgs(['--compare', 'main', '--rounds', '1'])).toThrow(/--rounds/);
  });

  it('exits 2 naming a ref git does not know, before preparing anything', async () => {
    const bad = await run(['--compare', 'no-such-branch-for-the-bench']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bench: 'no-such-branch-for-the-bench' is not a commit of the repository at /);
    expect(bad.err).toContain('--compare HEAD');
  });
});
