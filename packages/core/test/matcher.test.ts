import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Dataset, loadDataset, selectClasses, subset, validationSplit } from '@twinnet/datasets';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/select.ts';
import { embed } from '../src/evaluate.ts';
import { saveModelToDir } from '../src/io/files.ts';
import { Matcher } from '../src/matcher.ts';
import { buildSiamese, disposeSiamese, type SiameseModel } from '../src/model.ts';
import { createRng, shuffleInPlace } from '../src/random.ts';

const DIM = 10;
/** A made-up calibrated threshold; the matcher must take it from metrics.json. */
/** metrics.json's threshold is on the pair model's output, sigmoid(w·d + b); untrained, w = 4 and b = −2. */
const SCORE_THRESHOLD = 0.6;
const THRESHOLD = (Math.log(SCORE_THRESHOLD / (1 - SCORE_THRESHOLD)) + 2) / 4;
const HELD_OUT = [7, 8, 9];

let mnist: Dataset;
let model: SiameseModel;
let runDir: string;
/** Training-split images of the held-out classes: never trained on, so fair supports. */
let unseenTrain: Dataset['train'];

/**
 * A run directory as the trainer writes one (tower/ + metrics.json), with an untrained but seeded tower: these
 * tests check the mechanics exactly; the quality of matching is measured on a trained run in apps/match.
 */
beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  mnist = await loadDataset('mnist');
  unseenTrain = selectClasses(validationSplit(mnist.train, 1 / 12, 42).train, HELD_OUT);
  model = buildSiamese({ tower: 'small', head: 'distance', embeddingDim: DIM, seed: 3 });
  runDir = await mkdtemp(join(tmpdir(), 'twinnet-matcher-'));
  await saveModelToDir(model.tower, join(runDir, 'tower'));
  await saveModelToDir(model.pair, join(runDir, 'pair'));
  await writeMetrics(runDir, {});
});

afterAll(async () => {
  disposeSiamese(model);
  await rm(runDir, { recursive: true, force: true });
});

async function writeMetrics(dir: string, overrides: Record<string, unknown>): Promise<void> {
  const metrics = {
    run: 'tiny-holdout',
    dataset: 'mnist',
    variant: 'contrastive',
    tower: 'small',
    head: 'distance',
    polarity: 'lower-is-same',
    heldOutClasses: HELD_OUT,
    classNames: mnist.classNames,
    test: { threshold: SCORE_THRESHOLD },
    ...overrides,
  };
  await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
}

/** `shots` seeded training images per held-out class, as { label: 28×28 images }. */
function supportsFor(shots: number, seed: number): Map<string, Uint8Array> {
  const rng = createRng(seed);
  const out = new Map<string, Uint8Array>();
  for (const c of HELD_OUT) {
    const members = Int32Array.from(range(unseenTrain.count).filter((i) => unseenTrain.labels[i] === c));
    shuffleInPlace(members, rng);
    out.set(String(c), subset(unseenTrain, members.subarray(0, shots)).images);
  }
  return out;
}

describe('Matcher', () => {
  it('ranks labels by the mean distance to their supports, unknown at or past the threshold', async () => {
    const matcher = await Matcher.load(runDir);
    // The run's score threshold, turned into the embedding distance where the pair model gives that score.
    expect(matcher.threshold).toBeCloseTo(THRESHOLD, 6);
    const supports = supportsFor(3, 11);
    for (const [label, images] of supports) matcher.add(label, images);
    expect(matcher.labels).toEqual(HELD_OUT.map((c) => ({ label: String(c), supports: 3 })));

    const queries = subset(mnist.test, range(40));
    const results = matcher.matchAll(queries.images, { k: 3 });
    const q = embed(model.tower, queries.images);
    const s = new Map([...supports].map(([label, images]) => [label, embed(model.tower, images)]));
    results.forEach((result, i) => {
      const expected = [...s]
        .map(([label, e]) => ({
          label,
          distance: (distance(q, i, e, 0) + distance(q, i, e, 1) + distance(q, i, e, 2)) / 3,
        }))
        .sort((a, b) => a.distance - b.distance);
      expect(result.ranked.map((r) => r.label)).toEqual(expected.map((r) => r.label));
      result.ranked.forEach((r, j) => {
        expect(r.distance).toBeCloseTo(expected[j]!.distance, 4);
      });
      expect(result.unknown).toBe(expected[0]!.distance >= THRESHOLD);
      expect(result.label).toBe(result.unknown ? 'unknown' : expected[0]!.label);
    });
    // A threshold between the closest and farthest best distances splits the queries.
    const best = results.map((r) => r.distance).sort((a, b) => a - b);
    const middle = best[20]!;
    const split = matcher.matchAll(queries.images, { threshold: middle });
    expect(split.filter((r) => r.unknown)).toHaveLength(20);
    matcher.dispose();
  });

  it('embeds supports once and a batch of queries in one pass, not once per query × support', async () => {
    const matcher = await Matcher.fromModel(model.tower, {
      run: 'tiny',
      dataset: 'mnist',
      threshold: THRESHOLD,
    });
    const calls = vi.spyOn(model.tower, 'apply');
    for (const [label, images] of supportsFor(5, 12)) matcher.add(label, images);
    expect(calls).toHaveBeenCalledTimes(3); // one per add()
    calls.mockClear();
    const queries = subset(mnist.test, range(300));
    const results = matcher.matchAll(queries.images, { k: 2 });
    expect(results).toHaveLength(300);
    expect(calls).toHaveBeenCalledTimes(Math.ceil(300 / 256)); // embed() batches of 256
    calls.mockRestore();
    for (const r of results) {
      expect(r.ranked).toHaveLength(2);
      expect(r.ranked[0]!.distance).toBeLessThanOrEqual(r.ranked[1]!.distance);
      expect(r.distance).toBe(r.ranked[0]!.distance);
      expect(r.label).toBe(r.unknown ? 'unknown' : r.ranked[0]!.label);
    }
  });

  it('saves supports to JSON and reuses them without embedding again; refuses another model’s', async () => {
    const first = await Matcher.load(runDir);
    for (const [label, images] of supportsFor(2, 13)) first.add(label, images);
    const file = join(runDir, 'supports.json');
    await first.saveSupports(file);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.labels).toEqual(['7', '7', '8', '8', '9', '9']);
    expect(saved.model.run).toBe('tiny-holdout');

    const second = await Matcher.load(runDir);
    await second.loadSupports(file);
    const queries = subset(selectClasses(mnist.test, HELD_OUT), range(50)).images;
    const a = first.matchAll(queries);
    const b = second.matchAll(queries);
    expect(b.map((r) => r.label)).toEqual(a.map((r) => r.label));
    b.forEach((r, i) => {
      expect(r.distance).toBeCloseTo(a[i]!.distance, 5);
    });

    const other = buildSiamese({ tower: 'small', head: 'distance', seed: 99 });
    const stranger = await Matcher.fromModel(other.tower, {
      run: 'other-run',
      dataset: 'mnist',
      threshold: 1,
    });
    await expect(stranger.loadSupports(file)).rejects.toThrow(
      /supports.json: these supports were embedded by run 'tiny-holdout'.*this matcher uses run 'other-run'.*add the support images again/,
    );
    disposeSiamese(other);
    first.dispose();
    second.dispose();
  });

  it('takes 28×28 bytes, floats and decoded pictures of any size alike', async () => {
    const matcher = await Matcher.fromModel(model.tower, {
      run: 'tiny',
      dataset: 'mnist',
      threshold: THRESHOLD,
    });
    for (const [label, images] of supportsFor(5, 14)) matcher.add(label, images);
    const unseen = selectClasses(mnist.test, HELD_OUT);
    const image = unseen.images.slice(0, 784);
    const fromBytes = matcher.match(image);
    const fromFloats = matcher.match(Float32Array.from(image, (v) => v / 255));
    expect(fromFloats.ranked).toEqual(fromBytes.ranked);
    // The same digit as a 3× larger RGB scan, dark on white: preprocessed back into MNIST form.
    const scan = new Uint8Array(84 * 84 * 3);
    for (let p = 0; p < 84 * 84; p++) {
      const v = 255 - image[Math.floor(p / 84 / 3) * 28 + Math.floor((p % 84) / 3)]!;
      scan.fill(v, p * 3, p * 3 + 3);
    }
    const fromScan = matcher.match({ data: scan, width: 84, height: 84 });
    expect(fromScan.ranked[0]!.label).toBe(fromBytes.ranked[0]!.label);
    expect(() => matcher.match(new Uint8Array(100))).toThrow(/multiple of 784 values\), got 100/);
    const empty = { data: new Uint8Array(0), width: 0, height: 0 };
    expect(() => matcher.match(empty)).toThrow(/^image has zero size \(0×0\)$/);
    expect(() => matcher.matchAll([image, empty])).toThrow(/^image 1: image has zero size/);
    expect(() => matcher.add('unknown', image)).toThrow(/reserved/);
  });

  it('refuses a missing run and a bce run with messages that say why', async () => {
    await expect(Matcher.load(join(runDir, 'nope'))).rejects.toThrow(
      /nope: not a trained run .*metrics.json: cannot be read \(no such file\)/,
    );
    const bce = join(runDir, 'bce-run');
    await mkdir(bce, { recursive: true });
    await writeMetrics(bce, { variant: 'bce', head: 'mlp', polarity: 'higher-is-same' });
    await expect(Matcher.load(bce)).rejects.toThrow(/'bce' run with an MLP head.*Use a contrastive run/);
    const empty = await Matcher.fromModel(model.tower, {
      run: 'tiny',
      dataset: 'mnist',
      threshold: THRESHOLD,
    });
    expect(() => empty.match(new Uint8Array(784))).toThrow(/no supports yet/);
  });

  it('loads a run over HTTP the way a browser does, to the same model', async () => {
    // A loopback server for the run directory: the fetch path of the loader, without a browser.
    const server = createServer((request, response) => {
      readFile(join(runDir, decodeURIComponent(request.url ?? '/')))
        .then((body) => response.end(body))
        .catch(() => {
          response.statusCode = 404;
          response.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const fromDisk = await Matcher.load(runDir);
      const overHttp = await Matcher.load(`http://127.0.0.1:${port}/`);
      expect(overHttp.model).toEqual(fromDisk.model);
      expect(overHttp.threshold).toBeCloseTo(THRESHOLD, 6);
      await expect(Matcher.load(`http://127.0.0.1:${port}/missing`)).rejects.toThrow(
        /missing: not a trained run .*metrics.json: cannot be fetched \(HTTP 404\)/,
      );
      fromDisk.dispose();
      overHttp.dispose();
    } finally {
      server.close();
    }
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const matcher = await Matcher.load(runDir);
    for (const [label, images] of supportsFor(1, 15)) matcher.add(label, images);
    matcher.matchAll(subset(mnist.test, range(20)).images);
    matcher.supports();
    matcher.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

function distance(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let sum = 0;
  for (let d = 0; d < DIM; d++) sum += (a[i * DIM + d]! - b[j * DIM + d]!) ** 2;
  return Math.sqrt(sum);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
