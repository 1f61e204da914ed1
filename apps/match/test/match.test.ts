import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Matcher } from '@twinnet/core';
import { type Dataset, loadDataset, selectClasses } from '@twinnet/datasets';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { preset, type TrainConfig } from 'trainer/presets';
import { trainRun } from 'trainer/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Io, type JsonOutput, main } from '../src/cli.ts';
import { encodePng, writePngs } from '../src/png-folders.ts';
import { drawQueries, drawSupports } from '../src/sampling.ts';

const HELD_OUT = [7, 8, 9];
const SEEN = [0, 1, 2, 3, 4, 5, 6];

let mnist: Dataset;
let runDir: string;
/** Everything the tests write goes under here, removed at the end. */
let scratch: string;

/**
 * A small hold-out run made by the trainer itself (real artifacts, real validation threshold): 6,000 images
 * of classes 0–6, two epochs of 4,096 pairs. Adam gets a tiny run much further than RMSprop in that budget.
 */
beforeAll(async () => {
  const backend = await initBackend('wasm', { log: () => {} });
  const config: TrainConfig = {
    ...preset('mnist', 'contrastive', true),
    epochs: 2,
    pairsPerEpoch: 4096,
    batchSize: 32,
    optimizer: 'adam',
    learningRate: 0.001,
    trainSize: 6000,
    validationPairs: 1000,
    testPairs: 200,
    episodes: 20,
    embedPoints: 60,
    seed: 2,
  };
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-match-'));
  const out = join(scratch, 'runs');
  const outcome = await trainRun(config, {
    outDir: out,
    resume: false,
    backend,
    log: () => {},
    interrupted: () => false,
    datasets: new Map(),
  });
  expect(outcome.status).toBe('done');
  runDir = join(out, config.run);
  mnist = await loadDataset('mnist');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('one-shot matching of held-out classes', () => {
  it('beats chance by far on unseen classes, and calls classes without support unknown more often than not', async () => {
    const unseen = selectClasses(mnist.test, HELD_OUT);
    const seen = drawQueries(selectClasses(mnist.test, SEEN), 2000, 1);
    let correct = 0;
    let unknown = 0;
    // Pooled over three seeded draws of 5 supports per class, so one unlucky draw does not decide.
    for (const draw of [1, 2, 3]) {
      const matcher = await Matcher.load(runDir);
      // Supports from the training split: the run never trained on these classes; test images stay queries.
      for (const [c, images] of drawSupports(selectClasses(mnist.train, HELD_OUT), HELD_OUT, 5, draw)) {
        matcher.add(String(c), images);
      }
      const results = matcher.matchAll(unseen.images, { k: 1 });
      correct += results.filter((r, i) => r.ranked[0]!.label === String(unseen.labels[i])).length;
      unknown += matcher.matchAll(seen.images).filter((r) => r.unknown).length;
      matcher.dispose();
    }
    const accuracy = correct / (3 * unseen.count);
    const unknownRate = unknown / (3 * seen.count);
    console.log(
      `3-way 5-shot accuracy ${(100 * accuracy).toFixed(1)}% on ${unseen.count} unseen test images (chance 33.3%); ` +
        `${(100 * unknownRate).toFixed(1)}% of ${seen.count} seen-class queries (no support) unknown`,
    );
    expect(accuracy).toBeGreaterThan(0.5);
    expect(unknownRate).toBeGreaterThan(0.5);
  });
});

describe('pnpm match', () => {
  /** Runs the CLI in-process and captures what it prints. */
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: Io = {
      stdout: (text) => {
        stdout += `${text}\n`;
      },
      stderr: (text) => {
        stderr += `${text}\n`;
      },
      cwd: process.cwd(),
    };
    const code = await main([...args, '--backend', 'wasm'], io);
    return { code, stdout, stderr };
  }

  /** support/<class>/ with three images each (one class as JPEG), query/ with test images of those classes. */
  async function fixture(): Promise<{ dir: string; support: string; query: string }> {
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
    const queries = drawQueries(selectClasses(mnist.test, HELD_OUT), 6, 3);
    await writePngs(query, queries.images, 'test');
    return { dir, support, query };
  }

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
    const { code, stdout } = await run([
      '--run',
      runDir,
      '--support',
      support,
      '--query',
      query,
      '--json',
      '--k',
      '3',
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as JsonOutput;
    expect(output.supports).toEqual([
      { label: '7', supports: 3 },
      { label: '8', supports: 3 },
      { label: '9', supports: 3 },
    ]);
    expect(output.results).toHaveLength(6);
    expect(output.problems).toEqual([]);
    for (const r of output.results) {
      expect(r.ranked.map((x) => x.label).sort()).toEqual(['7', '8', '9']);
      expect(r.unknown).toBe(r.distance >= output.threshold);
    }
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
    expect(gallery.model.run).toBe('mnist-contrastive-holdout');
    const second = await run(['--run', runDir, '--supports', saved, '--query', query, '--json']);
    expect(second.code).toBe(0);
    const labels = (s: string) => (JSON.parse(s) as JsonOutput).results.map((r) => [r.query, r.label]);
    expect(labels(second.stdout)).toEqual(labels(first.stdout));
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

  it('fails clearly on a missing run, a missing folder, a bce run, and a usage mistake', async () => {
    const { dir, support, query } = await fixture();
    const missing = await run(['--run', join(dir, 'no-run'), '--support', support, '--query', query]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /no-run: not a trained run \(.*metrics\.json: cannot be read \(no such file\)\)/,
    );
    const noFolder = await run(['--run', runDir, '--support', join(dir, 'nope'), '--query', query]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toMatch(/nope: no such folder/);
    const noQuery = await run(['--run', runDir, '--support', support, '--query', join(dir, 'gone.png')]);
    expect(noQuery.stderr).toMatch(/gone\.png: no such file or folder/);
    const bce = join(dir, 'bce-run');
    await mkdir(bce);
    const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8'));
    await writeFile(
      join(bce, 'metrics.json'),
      JSON.stringify({ ...metrics, variant: 'bce', head: 'mlp', polarity: 'higher-is-same' }),
    );
    const refused = await run(['--run', bce, '--support', support, '--query', query]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/'bce' run with an MLP head.*Use a contrastive run/);
    const usage = await run(['--support', support]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--run is required\nusage: pnpm match/);
  });

  it('leaves no tensors behind', async () => {
    const { support, query } = await fixture();
    const before = tf.memory().numTensors;
    await run(['--run', runDir, '--support', support, '--query', query, '--json']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
