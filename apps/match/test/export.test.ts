import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Matcher, UsageError } from '@twinnet/core/node';
import { loadDataset, selectClasses } from '@twinnet/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExportArgs } from '../src/export.ts';
import { drawQueries, drawSupports } from '../src/sampling.ts';
import { runCli, writeRun } from './fixtures.ts';

let scratch: string;

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-match-export-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(args, scratch);

describe('parseExportArgs', () => {
  it('resolves --run and --out against the directory the user typed in', () => {
    expect(parseExportArgs(['--run', 'artifacts/r', '--out', '/abs/m'], '/repo')).toEqual({
      run: '/repo/artifacts/r',
      out: '/abs/m',
      backend: 'auto',
      help: false,
    });
  });

  it('names the flag that is missing or wrong', () => {
    const fails = (args: string[], message: RegExp) => {
      expect(() => parseExportArgs(args, '/w')).toThrow(UsageError);
      expect(() => parseExportArgs(args, '/w')).toThrow(message);
    };
    fails(['--out', 'm'], /^--run is required/);
    fails(['--run', 'r'], /^--out is required/);
    fails(['--run', 'r', '--out', ''], /^--out expects a folder$/);
    fails(['--run', 'r', '--out', 'm', '--backend', 'gpu'], /^--backend expects one of auto, .*got 'gpu'$/);
    fails(['--run', 'r', '--out', 'm', '--support', 'd'], /'--support'/);
  });
});

describe('pnpm match export', () => {
  it('writes a matcher that answers as the run does, and lists its files', async () => {
    const runDir = await writeRun(join(scratch, 'mlp-run'), 'mlp', 0.1);
    const { code, stdout, stderr } = await run(['--', 'export', '--run', 'mlp-run', '--out', 'exported']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = join(scratch, 'exported');
    expect(stdout).toMatch(new RegExp(`^exported run 'tiny-mlp' to ${out}: [\\d.]+ kB\\n`));
    for (const file of ['metrics.json', 'tower/model.json', 'tower/weights.bin', 'head/model.json'])
      expect(stdout).toContain(`  ${file}`);
    expect((await readdir(out)).sort()).toEqual(['head', 'metrics.json', 'tower']);

    const mnist = await loadDataset('mnist');
    const classes = [7, 8, 9];
    const supports = drawSupports(selectClasses(mnist.train, classes), classes, 2, 3);
    const queries = drawQueries(selectClasses(mnist.test, classes), 9, 4).images;
    const answers = async (dir: string) => {
      const matcher = await Matcher.load(dir);
      for (const [c, images] of supports) matcher.add(String(c), images);
      const results = matcher.matchAll(queries, { k: 3 });
      matcher.dispose();
      return results;
    };
    expect(await answers(out)).toEqual(await answers(runDir));
  });

  it('fails clearly on a missing run, and on a folder that is not an earlier export', async () => {
    const missing = await run(['export', '--run', 'no-run', '--out', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `match export: ${scratch}/no-run: not a trained run (${scratch}/no-run/metrics.json: cannot be read (no such file))\n`,
    );
    const runDir = await writeRun(join(scratch, 'cosine-run'), 'cosine', 0.9);
    const onItself = await run(['export', '--run', runDir, '--out', runDir]);
    expect(onItself.code).toBe(1);
    expect(onItself.stderr).toMatch(/is the run itself; export to another folder/);
    const overRun = await run(['export', '--run', runDir, '--out', join(scratch, 'mlp-run')]);
    expect(overRun.code).toBe(1);
    expect(overRun.stderr).toMatch(/mlp-run: exists and is not an exported matcher/);
  });

  it('exits 2 naming a bad or missing flag, with the usage; --help prints the usage', async () => {
    const bad = await run(['export', '--run', 'r', '--out', 'o', '--k', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^match export: .*'--k'.*\nusage: pnpm match export --run RUN_DIR --out DIR/);
    const missing = await run(['export', '--run', 'r']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^match export: --out is required/);
    const help = await run(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm match export/);
    // The matching usage points to the subcommand.
    expect((await run(['--help'])).stdout).toContain('pnpm match export --run RUN_DIR --out DIR');
  });

  it('exits 2 from the shell as well', () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', cli, 'export', '--out', 'o', '--runn', 'r'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^match export: .*'--runn'/);
  });
});
