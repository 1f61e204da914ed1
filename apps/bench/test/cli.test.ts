import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
  it('exits 0 for an equal result and 1 for a slower or less accurate one', async () => {
    const equal = await files(syntheticResult());
    expect((await run(['--', '--compare', equal.base, '--current', equal.now])).code).toBe(0);

    const slower = await files(withSpeed(syntheticResult(), 0.8));
    const slow = await run(['--compare', slower.base, '--current', slower.now]);
    expect(slow.code).toBe(1);
    expect(slow.out).toMatch(
      /FAIL contrastive batch 64 training throughput per CPU second: ÷ PyTorch .*−20\.0%/,
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
