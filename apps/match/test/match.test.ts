import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Matcher as CoreMatcher } from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { type Dataset, loadDataset, selectClasses } from '@twinnet/datasets';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JsonOutput } from '../src/cli.ts';
import { encodePng, writePngs } from '../src/png-folders.ts';
import { drawQueries, drawSupports } from '../src/sampling.ts';
import { pngClaiming, runCli, writeRun } from './fixtures.ts';

const HELD_OUT = [7, 8, 9];

let mnist: Dataset;
let runDir: string;
let mlpRunDir: string;
let cosineRunDir: string;
/** Everything the tests write goes under here, removed at the end. */
let scratch: string;

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-match-'));
  // sigmoid(4·d − 2) = 0.6 at d ≈ 0.601: the calibrated distance threshold of the untrained pair model.
  runDir = await writeRun(join(scratch, 'distance-run'), 'distance', 0.6);
  mlpRunDir = await writeRun(join(scratch, 'mlp-run'), 'mlp', 0.1);
  cosineRunDir = await writeRun(join(scratch, 'cosine-run'), 'cosine', 0.95);
  mnist = await loadDataset('mnist');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(args, process.cwd());

/** support/<class>/ with three images each (one class as JPEG), query/ with `queries` test images. */
async function fixture(queries = 6): Promise<{ dir: string; support: string; query: string }> {
  const dir = await mkdtemp(join(scratch, 'cli-'));
  const support = join(dir, 'support');
  const query = join(dir, 'query');
  for (const [c, images] of drawSupports(selectClasses(mnist.train, HELD_OUT), HELD_OUT, 3, 2)) {
    if (c !== 9) {
      await writePngs(join(support, String(c)), images, 'example');
      continue;
    }
    await mkdir(join(support, '9'), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const rgba = Buffer.alloc(784 * 4);
      for (let p = 0; p < 784; p++) rgba.fill(images[i * 784 + p]!, p * 4, p * 4 + 4);
      await writeFile(
        join(support, '9', `example-${i}.jpg`),
        jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data,
      );
    }
  }
  await writePngs(query, drawQueries(selectClasses(mnist.test, HELD_OUT), queries, 3).images, 'test');
  return { dir, support, query };
}

const json = (stdout: string) => JSON.parse(stdout) as JsonOutput;

describe('pnpm match', () => {
  it('prints a table of query, best label, distance and runner-up', async () => {
    const { support, query } = await fixture();
    const { code, stdout, stderr } = await run(['--run', runDir, '--support', support, '--query', query]);
    expect(stderr).not.toMatch(/match: .*: /);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^query\s+best\s+distance\s+runner-up$/);
    expect(lines).toHaveLength(1 + 6 + 1);
    for (const line of lines.slice(1, 7))
      expect(line).toMatch(/^test-\d{5}\.png\s+(7|8|9|unknown)\s+\d+\.\d{3}\s+[789] \(\d+\.\d{3}\)$/);
    expect(lines[7]).toMatch(/^6 queries, \d unknown \(distance >= \d\.\d{3}\)$/);
    expect(stderr).toMatch(/3 classes \(7×3, 8×3, 9×3\), 6 queries matched/);
  });

  it('gives JSON to machines: every label ranked, unknown exactly at the threshold', async () => {
    const { support, query } = await fixture();
    const { code, stdout } = await run(['--run', runDir, '--support', support, '--query', query, '--json']);
    expect(code).toBe(0);
    const output = json(stdout);
    expect(output.measure).toBe('distance');
    expect(output.thresholdSource).toBe('validation-pairs');
    // No per-count cuts in this run: every label is cut at the run's one threshold.
    expect(output.supports).toEqual([
      { label: '7', supports: 3, cut: output.threshold },
      { label: '8', supports: 3, cut: output.threshold },
      { label: '9', supports: 3, cut: output.threshold },
    ]);
    expect(output.cutOrigin).toEqual({ source: 'validation-pairs', chosenOn: [], target: null });
    expect(output.results).toHaveLength(6);
    expect(output.problems).toEqual([]);
    for (const r of output.results) {
      expect(r.ranked.map((x) => x.label).sort()).toEqual(['7', '8', '9']);
      expect(r.unknown).toBe(r.distance! >= output.threshold);
    }
  });

  it('streams queries in batches: the same answers, one matchAll per batch', async () => {
    const { support, query } = await fixture(7);
    const calls = vi.spyOn(CoreMatcher.prototype, 'matchAll');
    const whole = await run(['--run', runDir, '--support', support, '--query', query, '--json']);
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockClear();
    const batched = await run([
      '--run',
      runDir,
      '--support',
      support,
      '--query',
      query,
      '--json',
      '--batch',
      '3',
    ]);
    expect(calls.mock.calls.map(([images]) => (images as unknown[]).length)).toEqual([3, 3, 1]);
    calls.mockRestore();
    expect(json(batched.stdout).results).toEqual(json(whole.stdout).results);
    const table = await run(['--run', runDir, '--support', support, '--query', query, '--batch', '2']);
    const lines = table.stdout.trim().split('\n');
    expect(lines).toHaveLength(1 + 7 + 1);
    // Rows of every batch line up under the one header.
    const column = lines[0]!.indexOf('runner-up');
    for (const line of lines.slice(1, 8)) expect(line[column - 1]).toBe(' ');
  });

  it('saves the embedded supports and reuses them without the image folder', async () => {
    const { dir, support, query } = await fixture();
    const saved = join(dir, 'gallery.json');
    const first = await run([
      '--run',
      runDir,
      '--support',
      support,
      '--query',
      query,
      '--json',
      '--save-supports',
      saved,
    ]);
    const gallery = JSON.parse(await readFile(saved, 'utf8'));
    expect(gallery.labels).toHaveLength(9);
    expect(gallery.model.run).toBe('tiny-distance');
    const second = await run(['--run', runDir, '--supports', saved, '--query', query, '--json']);
    expect(second.code).toBe(0);
    const labels = (s: string) => json(s).results.map((r) => [r.query, r.label]);
    expect(labels(second.stdout)).toEqual(labels(first.stdout));
  });

  it('follows symbolic links to class folders, as a support set assembled from links, and says so in --help', async () => {
    const { dir, support, query } = await fixture();
    // S/7 -> ../elsewhere/7 for every class: nothing but links.
    await rename(support, join(dir, 'elsewhere'));
    await mkdir(support);
    for (const c of HELD_OUT) await symlink(join('..', 'elsewhere', String(c)), join(support, String(c)));
    const linked = await run(['--run', runDir, '--support', support, '--query', query]);
    expect(linked.stderr).not.toMatch(/not inside a class folder/);
    expect(linked.stderr).toMatch(/3 classes \(7×3, 8×3, 9×3\)/);
    expect(linked.code).toBe(0);
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/symbolic links to folders and files are followed, each folder once/);
  });

  it('refuses a folder label that differs only in case from a saved one, naming both', async () => {
    const { dir, support, query } = await fixture();
    const saved = join(dir, 'gallery.json');
    await run(['--run', runDir, '--support', support, '--save-supports', saved]);
    const other = join(dir, 'more');
    await mkdir(other);
    await rename(join(support, '7'), join(other, '7'));
    await rename(join(support, '8'), join(other, 'Eight'));
    const gallery = JSON.parse(await readFile(saved, 'utf8'));
    gallery.labels = gallery.labels.map((l: string) => (l === '8' ? 'eight' : l));
    await writeFile(saved, JSON.stringify(gallery));
    const { code, stderr } = await run([
      '--run',
      runDir,
      '--supports',
      saved,
      '--support',
      other,
      '--query',
      query,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `match: ${other}/Eight: label 'Eight' differs only in case from 'eight' in ${saved}: one class or two?`,
    );
    // Folder 7 has the saved label exactly: its images join that class.
    expect(stderr).toMatch(/3 classes \(7×6, eight×3, 9×3\)/);
  });

  it('names the file and the fix when the supports cannot be saved', async () => {
    const { dir, support } = await fixture();
    const target = join(dir, 'no-such-folder', 'gallery.json');
    const { code, stderr } = await run(['--run', runDir, '--support', support, '--save-supports', target]);
    expect(code).toBe(1);
    expect(stderr).toContain(`match: ${target}: cannot be written (no such folder: create the folder first)`);
  });

  it('names each bad file and folder, and still matches the rest', async () => {
    const { support, query } = await fixture();
    await mkdir(join(support, 'empty'));
    await mkdir(join(support, 'broken'));
    await writeFile(join(support, 'broken', 'notes.txt'), 'not an image');
    await writeFile(join(support, '7', 'zero.png'), new Uint8Array(0));
    await writeFile(join(query, 'readme.txt'), 'hello');
    await writeFile(join(query, 'truncated.png'), encodePng(new Uint8Array(784)).subarray(0, 40));
    await writeFile(join(query, 'flat.png'), pngjs.PNG.sync.write(new pngjs.PNG({ width: 0, height: 0 })));
    await writeFile(join(query, '.DS_Store'), 'ignored');
    const { code, stdout, stderr } = await run(['--run', runDir, '--support', support, '--query', query]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/6 queries, /);
    expect(stderr).toContain(`${join(support, 'empty')}: empty class folder: no images`);
    expect(stderr).toContain(`${join(support, 'broken', 'notes.txt')}: not a PNG or JPEG image`);
    expect(stderr).toContain(`${join(support, 'broken')}: class folder has no usable images`);
    expect(stderr).toContain(`${join(support, '7', 'zero.png')}: empty file (0 bytes)`);
    expect(stderr).toContain(`${join(query, 'readme.txt')}: not a PNG or JPEG image`);
    expect(stderr).toContain(`${join(query, 'truncated.png')}: corrupt or truncated PNG`);
    expect(stderr).toContain(`${join(query, 'flat.png')}: image has zero size (0×0)`);
    expect(stderr).not.toContain('.DS_Store');
    // zero.png is skipped, the other images of class 7 are kept.
    expect(stderr).toMatch(/3 classes \(7×3, 8×3, 9×3\)/);
  });

  it('refuses blank pictures and oversized images by name, before decoding the big one', async () => {
    const { support, query } = await fixture();
    const white = new pngjs.PNG({ width: 1, height: 1 });
    white.data.fill(255);
    await writeFile(join(support, '8', 'blank.png'), pngjs.PNG.sync.write(white));
    await writeFile(join(query, 'blank.png'), encodePng(new Uint8Array(784)));
    await writeFile(join(query, 'huge.png'), pngClaiming(20000, 20000));
    const { code, stdout, stderr } = await run(['--run', runDir, '--support', support, '--query', query]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/6 queries, /);
    expect(stderr).toContain(
      `${join(support, '8', 'blank.png')}: blank image: no figure left after preprocessing`,
    );
    expect(stderr).toContain(`${join(query, 'blank.png')}: blank image`);
    expect(stderr).toContain(
      `${join(query, 'huge.png')}: 20000×20000 is 400.0 megapixels, over the limit of 16777216 pixels: ` +
        'shrink the image, or raise the limit with --max-pixels',
    );
    // The blank support is left out, its class keeps the rest.
    expect(stderr).toMatch(/3 classes \(7×3, 8×3, 9×3\)/);
    const strict = await run([
      '--run',
      runDir,
      '--support',
      support,
      '--query',
      query,
      '--max-pixels',
      '700',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(
      `${join(support, '7', 'example-00000.png')}: 28×28 is 0.0 megapixels, over the limit of 700 pixels`,
    );
    expect(strict.stderr).toMatch(/no usable support classes/);
  });

  it('matches an MLP-head run by its head model: scores, higher is closer', async () => {
    const { support, query } = await fixture();
    const table = await run(['--run', mlpRunDir, '--support', support, '--query', query]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^query\s+best\s+score\s+runner-up$/);
    expect(lines.at(-1)).toMatch(/^6 queries, \d unknown \(score <= 0\.100\)$/);
    const output = json(
      (await run(['--run', mlpRunDir, '--support', support, '--query', query, '--json'])).stdout,
    );
    expect(output.measure).toBe('score');
    for (const r of output.results) {
      expect(r).not.toHaveProperty('distance');
      expect(r.score).toBe(r.ranked[0]!.score);
      expect(r.ranked[0]!.score!).toBeGreaterThanOrEqual(r.ranked[1]!.score!);
      expect(r.unknown).toBe(!(r.score! > output.threshold));
    }
  });

  it('matches a cosine-head run by cosine similarity, with its open-set cut', async () => {
    const { dir, support, query } = await fixture();
    const table = await run(['--run', cosineRunDir, '--support', support, '--query', query]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^query\s+best\s+similarity\s+runner-up$/);
    for (const line of lines.slice(1, 7))
      expect(line).toMatch(/^test-\d{5}\.png\s+(7|8|9|unknown)\s+-?[01]\.\d{3}\s+[789] \(-?[01]\.\d{3}\)$/);
    expect(lines.at(-1)).toMatch(/^6 queries, \d unknown \(similarity <= 0\.950\)$/);
    const saved = join(dir, 'gallery.json');
    const output = json(
      (
        await run([
          ...['--run', cosineRunDir, '--support', support, '--query', query, '--json'],
          ...['--save-supports', saved],
        ])
      ).stdout,
    );
    expect(output).toMatchObject({ measure: 'similarity', threshold: 0.95, thresholdSource: 'open-set' });
    for (const r of output.results) {
      expect(Object.keys(r).sort()).toEqual(['label', 'path', 'query', 'ranked', 'similarity', 'unknown']);
      expect(r.similarity).toBe(r.ranked[0]!.similarity);
      expect(Math.abs(r.similarity!)).toBeLessThanOrEqual(1 + 1e-6);
      expect(r.ranked[0]!.similarity!).toBeGreaterThanOrEqual(r.ranked[1]!.similarity!);
      expect(r.unknown).toBe(!(r.similarity! > output.threshold));
    }
    // Saved supports come back the same; --threshold takes a similarity, and only one in [-1, 1].
    const reloaded = await run([
      ...['--run', cosineRunDir, '--supports', saved, '--query', query, '--json'],
      ...['--threshold', '-1'],
    ]);
    expect(reloaded.code).toBe(0);
    const again = json(reloaded.stdout);
    expect(again).toMatchObject({ threshold: -1, thresholdSource: 'given' });
    expect(again.results.map((r) => [r.query, r.ranked[0]!.label, r.unknown])).toEqual(
      output.results.map((r) => [r.query, r.ranked[0]!.label, false]),
    );
    const tooHigh = await run([
      ...['--run', cosineRunDir, '--support', support, '--query', query],
      ...['--threshold', '1.5'],
    ]);
    expect(tooHigh.code).toBe(1);
    expect(tooHigh.stderr).toMatch(/match: threshold must be a number from -1 to 1, got 1\.5/);
  });

  it('says where the cut came from, and cuts each label at its count of supports', async () => {
    const { dir, support, query } = await fixture();
    // 9 gets one support, 7 and 8 three: the 1-shot cut for 9, the 3-shot cut for the others.
    await rm(join(support, '9'), { recursive: true });
    await writePngs(
      join(support, '9'),
      drawSupports(selectClasses(mnist.train, [9]), [9], 1, 5).get(9)!,
      'one',
    );
    const cuts = [
      { shots: 1, threshold: 0.5 },
      { shots: 3, threshold: 0.75 },
      { shots: 5, threshold: 0.8 },
    ];
    const calibrated = await writeRun(join(dir, 'calibrated'), 'cosine', 0.8, {
      // As a refit run writes it: the recipe's validation classes are gone, the calibration's are in openSet.
      recipe: { variant: 'metric', head: { kind: 'cosine', hidden: 16 }, validationClasses: [] },
      openSet: {
        measure: 'similarity',
        threshold: 0.8,
        target: { kind: 'best-f1' },
        validation: { classes: [1, 2, 5] },
        cuts,
      },
    });
    const table = await run(['--run', calibrated, '--support', support, '--query', query]);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n').at(-1)).toMatch(
      /^6 queries, \d unknown \(similarity <= 0\.500 at 1 support, <= 0\.750 at 3 supports\)$/,
    );
    // Outside the directory the user typed in, the run is named by its absolute path, not a climb of ../..
    expect(table.stderr).toContain(
      `match: unknown by the open-set calibration of ${calibrated}, chosen on classes ` +
        "the choosing model never trained on (1, 2, 5) for the best F1; similarity <= the cut for the label's " +
        'count of supports (0.500 at 1–2, 0.750 at 3–4, 0.800 at 5+)',
    );
    const inside = await runCli(['--run', calibrated, '--support', support, '--query', query], dir);
    expect(inside.stderr).toContain('match: unknown by the open-set calibration of calibrated, chosen on');
    const output = json(
      (await run(['--run', calibrated, '--support', support, '--query', query, '--json'])).stdout,
    );
    expect(output.cutOrigin).toEqual({
      source: 'open-set',
      chosenOn: ['1', '2', '5'],
      target: { kind: 'best-f1' },
    });
    expect(output.supports).toEqual([
      { label: '7', supports: 3, cut: 0.75 },
      { label: '8', supports: 3, cut: 0.75 },
      { label: '9', supports: 1, cut: 0.5 },
    ]);
    for (const r of output.results) {
      const cut = output.supports.find((s) => s.label === r.ranked[0]!.label)!.cut;
      expect(r.unknown).toBe(!(r.similarity! > cut));
    }
    // A run whose cut comes from validation pairs of its own classes says it is not calibrated for new ones.
    const pairs = await run(['--run', runDir, '--support', support, '--query', query]);
    expect(pairs.stderr).toMatch(
      /match: unknown where distance >= \d\.\d{3}, the cut .* chose on validation pairs of classes it trained on, not calibrated for new classes/,
    );
    const given = await run([
      '--run',
      calibrated,
      '--support',
      support,
      '--query',
      query,
      '--threshold',
      '0.6',
    ]);
    expect(given.stderr).toContain('match: unknown where similarity <= 0.600 (--threshold), for every label');
    expect(given.stdout.trim().split('\n').at(-1)).toMatch(/\(similarity <= 0\.600\)$/);
  });

  it('fails clearly on a missing run, a missing folder, an MLP run without head/, and bad flags', async () => {
    const { dir, support, query } = await fixture();
    const missing = await run(['--run', join(dir, 'no-run'), '--support', support, '--query', query]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /no-run: not a trained run or an exported matcher \(.*metrics\.json: cannot be read \(no such file\)\)/,
    );
    const noFolder = await run(['--run', runDir, '--support', join(dir, 'nope'), '--query', query]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toMatch(/nope: no such folder/);
    const noQuery = await run(['--run', runDir, '--support', support, '--query', join(dir, 'gone.png')]);
    expect(noQuery.stderr).toMatch(/gone\.png: no such file or folder/);
    const headless = join(dir, 'bce-run');
    await mkdir(headless);
    const metrics = await readFile(join(mlpRunDir, 'metrics.json'), 'utf8');
    await writeFile(join(headless, 'metrics.json'), metrics);
    const refused = await run(['--run', headless, '--support', support, '--query', query]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/'bce' run with a 'mlp' head.*Train the run again/);
    const negative = await run([
      '--run',
      runDir,
      '--support',
      support,
      '--query',
      query,
      '--threshold',
      '-1',
    ]);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toMatch(/match: threshold must be a number above 0 and at most 1000000, got -1/);
    const usage = await run(['--run', runDir, '--support', support]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--query is required.*\nusage: pnpm match/);
  });

  it('leaves no tensors behind', async () => {
    const { support, query } = await fixture();
    const before = tf.memory().numTensors;
    await run(['--run', runDir, '--support', support, '--query', query, '--json']);
    await run(['--run', mlpRunDir, '--support', support, '--query', query, '--json']);
    await run(['--run', cosineRunDir, '--support', support, '--query', query, '--json']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
