import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { type Dataset, loadDataset, selectClasses, subset, validationSplit } from '@twinnet/datasets';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/select.ts';
import { embed } from '../src/eval/evaluate.ts';
import { saveModelToDir } from '../src/io/files.ts';
import { Matcher as BrowserMatcher, measureValue } from '../src/match/matcher.ts';
import { Matcher } from '../src/match/node-matcher.ts';
import { buildSiamese, disposeSiamese, type SiameseModel } from '../src/model/siamese.ts';
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

/** metrics.json fields of a bce run: an MLP head, whose logit is higher for the same class. */
const MLP_RUN = {
  recipe: { variant: 'bce', head: { kind: 'mlp', hidden: 16 } },
  polarity: 'higher-is-same',
};

async function writeMetrics(dir: string, overrides: Record<string, unknown>): Promise<void> {
  // Only what the matcher reads; the trainer writes the whole recipe and much more.
  const metrics = {
    run: 'tiny-holdout',
    dataset: 'mnist',
    recipe: { variant: 'contrastive', head: { kind: 'distance', hidden: 128 } },
    polarity: 'lower-is-same',
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
  it('ranks labels by the distance to their prototypes (the mean support), unknown at or past the threshold', async () => {
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
          // Nearest prototype: the distance to the mean of the label's three supports.
          distance: distance(q, i, meanOf(e), 0),
        }))
        .sort((a, b) => a.distance - b.distance);
      expect(result.ranked.map((r) => r.label)).toEqual(expected.map((r) => r.label));
      result.ranked.forEach((r, j) => {
        expect(r.distance).toBeCloseTo(expected[j]!.distance, 4);
      });
      expect(result.unknown).toBe(expected[0]!.distance >= THRESHOLD);
      expect(result.label).toBe(result.unknown ? 'unknown' : expected[0]!.label);
      // Distance runs keep their result shape: no score beside the distance.
      expect(Object.keys(result).sort()).toEqual(['distance', 'label', 'ranked', 'unknown']);
      expect(Object.keys(result.ranked[0]!).sort()).toEqual(['distance', 'label']);
    });
    expect(matcher.measure).toBe('distance');
    // A threshold between the closest and farthest best distances splits the queries.
    const best = results.map((r) => r.distance!).sort((a, b) => a - b);
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
      expect(r.ranked[0]!.distance!).toBeLessThanOrEqual(r.ranked[1]!.distance!);
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
      expect(r.distance!).toBeCloseTo(a[i]!.distance!, 5);
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

  it('refuses a missing run, and an MLP-head run without head/, with messages that say why', async () => {
    await expect(Matcher.load(join(runDir, 'nope'))).rejects.toThrow(
      /nope: not a trained run .*metrics.json: cannot be read \(no such file\)/,
    );
    const bce = join(runDir, 'bce-run');
    await mkdir(bce, { recursive: true });
    await saveModelToDir(model.tower, join(bce, 'tower'));
    await writeMetrics(bce, MLP_RUN);
    await expect(Matcher.load(bce)).rejects.toThrow(
      /'bce' run with a 'mlp' head.*head\/ cannot be loaded .*head\/model.json.*Train the run again/,
    );
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
      // The browser entry point's Matcher reads with fetch only.
      const overHttp = await BrowserMatcher.load(`http://127.0.0.1:${port}/`);
      expect(overHttp.model).toEqual(fromDisk.model);
      expect(overHttp.threshold).toBeCloseTo(THRESHOLD, 6);
      await expect(BrowserMatcher.load(`http://127.0.0.1:${port}/missing`)).rejects.toThrow(
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

describe('Matcher on an MLP-head run', () => {
  const LOGIT_THRESHOLD = 0.25;
  let mlp: SiameseModel;
  let mlpRun: string;

  beforeAll(async () => {
    mlp = buildSiamese({ tower: 'small', head: 'mlp', embeddingDim: DIM, headHidden: 16, seed: 5 });
    mlpRun = join(runDir, 'mlp-run');
    await saveModelToDir(mlp.tower, join(mlpRun, 'tower'));
    await saveModelToDir(mlp.pair, join(mlpRun, 'pair'));
    // head/ as the trainer saves it: two embeddings in (embedding_a, embedding_b), the logit out.
    await saveModelToDir(mlp.headModel, join(mlpRun, 'head'));
    await writeMetrics(mlpRun, { ...MLP_RUN, run: 'tiny-bce', test: { threshold: LOGIT_THRESHOLD } });
  });

  afterAll(() => disposeSiamese(mlp));

  it("ranks labels by the mean of the head's score over their supports, unknown at or below the threshold", async () => {
    const matcher = await Matcher.load(mlpRun);
    expect(matcher.measure).toBe('score');
    expect(matcher.polarity).toBe('higher-is-same');
    expect(matcher.threshold).toBe(LOGIT_THRESHOLD);
    const supports = supportsFor(2, 21);
    for (const [label, images] of supports) matcher.add(label, images);
    const queries = subset(mnist.test, range(12)).images;
    const results = matcher.matchAll(queries, { k: 3 });
    // The expected scores from the in-memory head, pair by pair.
    const q = embed(mlp.tower, queries);
    const expected = (i: number, images: Uint8Array) => {
      const s = embed(mlp.tower, images);
      const scores = tf.tidy(() => {
        const a = tf.tensor2d(Array.from({ length: 2 }, () => [...q.subarray(i * DIM, (i + 1) * DIM)]));
        return mlp.head(a, tf.tensor2d(s, [2, DIM])).dataSync();
      });
      return (scores[0]! + scores[1]!) / 2;
    };
    results.forEach((result, i) => {
      const want = [...supports]
        .map(([label, images]) => ({ label, score: expected(i, images) }))
        .sort((a, b) => b.score - a.score);
      expect(result.ranked.map((r) => r.label)).toEqual(want.map((r) => r.label));
      result.ranked.forEach((r, j) => {
        expect(r.score!).toBeCloseTo(want[j]!.score, 4);
        expect(r).not.toHaveProperty('distance');
      });
      expect(result.score).toBe(result.ranked[0]!.score);
      expect(result.unknown).toBe(!(want[0]!.score > LOGIT_THRESHOLD));
    });
    // A threshold between the best scores splits the queries; a negative one is a valid logit.
    const best = results.map((r) => r.score!).sort((a, b) => a - b);
    expect(matcher.matchAll(queries, { threshold: best[6]! }).filter((r) => r.unknown)).toHaveLength(7);
    expect(matcher.matchAll(queries, { threshold: -1e6 }).every((r) => !r.unknown)).toBe(true);
    matcher.dispose();
  });

  it('refuses a head model whose inputs are not the two embeddings', async () => {
    const bad = join(runDir, 'mlp-bad-head');
    await saveModelToDir(mlp.tower, join(bad, 'tower'));
    await saveModelToDir(mlp.pair, join(bad, 'head')); // the pair model takes images, not embeddings
    await writeMetrics(bad, MLP_RUN);
    await expect(Matcher.load(bad)).rejects.toThrow(
      /expected a head model with inputs embedding_a and embedding_b/,
    );
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const matcher = await Matcher.load(mlpRun);
    for (const [label, images] of supportsFor(1, 22)) matcher.add(label, images);
    matcher.matchAll(subset(mnist.test, range(5)).images);
    matcher.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Matcher on a cosine-head run', () => {
  const PAIR_THRESHOLD = 0.3;
  const OPEN_SET = {
    target: { kind: 'best-f1' },
    met: true,
    shots: 5,
    measure: 'similarity',
    threshold: 0.82,
    validation: {
      classes: [5, 6],
      supportedWays: 1,
      episodes: 10,
      auroc: 0.9,
      supportedUnknown: 0.1,
      unsupportedUnknown: 0.8,
      precision: 0.9,
      recall: 0.9,
    },
    test: null,
  };
  const COSINE_RUN = {
    run: 'tiny-metric',
    recipe: { variant: 'metric', head: { kind: 'cosine', hidden: 16 } },
    polarity: 'higher-is-same',
    test: { threshold: PAIR_THRESHOLD },
  };
  let cosine: SiameseModel;
  /** A run written before metrics.json had `embedding` and `openSet`: the head kind alone says cosine. */
  let oldRun: string;
  /** A run with both: normalisation and metric stated, and the open-set cut. */
  let newRun: string;

  beforeAll(async () => {
    cosine = buildSiamese({ tower: 'small', head: 'cosine', embeddingDim: DIM, seed: 6 });
    oldRun = join(runDir, 'cosine-old');
    newRun = join(runDir, 'cosine-new');
    for (const dir of [oldRun, newRun]) {
      // Only tower/: a cosine run needs neither pair/ nor head/ to match.
      await saveModelToDir(cosine.tower, join(dir, 'tower'));
    }
    await writeMetrics(oldRun, COSINE_RUN);
    await writeMetrics(newRun, {
      ...COSINE_RUN,
      embedding: { normalize: 'l2', metric: 'cosine' },
      openSet: OPEN_SET,
    });
  });

  afterAll(() => disposeSiamese(cosine));

  /** Mean cosine similarity of query i with a label's supports, from the raw tower embeddings. */
  function expectedSimilarity(q: Float32Array, i: number, supports: Float32Array): number {
    const cos = (a: Float32Array, b: Float32Array) => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let d = 0; d < DIM; d++) {
        dot += a[d]! * b[d]!;
        na += a[d]! ** 2;
        nb += b[d]! ** 2;
      }
      return dot / Math.sqrt(na * nb);
    };
    // The prototype: the mean of the L2-normalised supports.
    const rows = supports.length / DIM;
    const prototype = new Float32Array(DIM);
    for (let r = 0; r < rows; r++) {
      const row = supports.subarray(r * DIM, (r + 1) * DIM);
      const norm = Math.hypot(...row);
      for (let d = 0; d < DIM; d++) prototype[d]! += row[d]! / norm / rows;
    }
    return cos(q.subarray(i * DIM, (i + 1) * DIM), prototype);
  }

  it('ranks labels by cosine similarity to their prototypes (the mean normalised support), higher is closer', async () => {
    const matcher = await Matcher.load(oldRun);
    expect(matcher.measure).toBe('similarity');
    expect(matcher.polarity).toBe('higher-is-same');
    // No open-set calibration in this run: the cut chosen on validation pairs, already a similarity.
    expect(matcher.threshold).toBe(PAIR_THRESHOLD);
    expect(matcher.thresholdSource).toBe('validation-pairs');
    const supports = supportsFor(3, 41);
    for (const [label, images] of supports) matcher.add(label, images);
    const queries = subset(mnist.test, range(20)).images;
    const results = matcher.matchAll(queries, { k: 3 });
    const q = embed(cosine.tower, queries);
    const s = new Map([...supports].map(([label, images]) => [label, embed(cosine.tower, images)]));
    results.forEach((result, i) => {
      const want = [...s]
        .map(([label, e]) => ({ label, similarity: expectedSimilarity(q, i, e) }))
        .sort((a, b) => b.similarity - a.similarity);
      expect(result.ranked.map((r) => r.label)).toEqual(want.map((r) => r.label));
      result.ranked.forEach((r, j) => {
        expect(r.similarity!).toBeCloseTo(want[j]!.similarity, 4);
        expect(Object.keys(r).sort()).toEqual(['label', 'similarity']);
      });
      expect(Object.keys(result).sort()).toEqual(['label', 'ranked', 'similarity', 'unknown']);
      expect(result.similarity).toBe(result.ranked[0]!.similarity);
      expect(result.unknown).toBe(!(want[0]!.similarity > PAIR_THRESHOLD));
      expect(measureValue(result)).toBe(result.similarity);
    });
    // A cut between the best similarities splits the queries.
    const best = results.map((r) => r.similarity!).sort((a, b) => a - b);
    expect(matcher.matchAll(queries, { threshold: best[9]! }).filter((r) => r.unknown)).toHaveLength(10);
    expect(matcher.matchAll(queries, { threshold: -1 }).every((r) => !r.unknown)).toBe(true);
    matcher.dispose();
  });

  it("takes its default cut from metrics.json's open-set calibration, and checks similarity thresholds", async () => {
    const matcher = await Matcher.load(newRun);
    expect(matcher.measure).toBe('similarity');
    expect(matcher.threshold).toBe(OPEN_SET.threshold);
    expect(matcher.thresholdSource).toBe('open-set');
    const given = await Matcher.load(newRun, { threshold: 0.5 });
    expect([given.threshold, given.thresholdSource]).toEqual([0.5, 'given']);
    given.dispose();
    for (const t of [1.5, -1.01, Number.NaN]) {
      await expect(Matcher.load(newRun, { threshold: t })).rejects.toThrow(
        `threshold must be a number from -1 to 1, got ${t}`,
      );
    }
    for (const [label, images] of supportsFor(1, 42)) matcher.add(label, images);
    expect(() => matcher.matchAll(supportsFor(1, 43).get('7')!, { threshold: 2 })).toThrow(
      'threshold must be a number from -1 to 1, got 2',
    );
    matcher.dispose();
    const mismatched = join(runDir, 'cosine-mismatched');
    await saveModelToDir(cosine.tower, join(mismatched, 'tower'));
    await writeMetrics(mismatched, { ...COSINE_RUN, openSet: { ...OPEN_SET, measure: 'distance' } });
    await expect(Matcher.load(mismatched)).rejects.toThrow(
      /openSet\.threshold is a distance, but this run is matched by similarity/,
    );
  });

  it("takes a cut per support count from a run that has them: each label's own count picks its cut", async () => {
    const perCount = join(runDir, 'cosine-cuts');
    await saveModelToDir(cosine.tower, join(perCount, 'tower'));
    const supports = supportsFor(5, 44);
    const queries = subset(mnist.test, range(30)).images;
    // Where the queries' best similarities fall with one support per label and with five: cuts between them.
    const probe = await Matcher.fromModel(cosine.tower, {
      run: 't',
      dataset: 'mnist',
      threshold: -1,
      metric: 'cosine',
    });
    const bests = (shots: number) => {
      probe.clear();
      for (const [label, images] of supports) probe.add(label, images.subarray(0, shots * 784));
      return probe
        .matchAll(queries)
        .map((r) => r.similarity!)
        .sort((a, b) => a - b);
    };
    const [one, five] = [bests(1), bests(5)];
    probe.dispose();
    const cut = (values: number[], at: number) => (values[at]! + values[at + 1]!) / 2;
    const cuts = [
      { shots: 1, threshold: cut(one, 9) }, // a third of the queries unknown at 1 support
      { shots: 5, threshold: cut(five, 19) }, // two thirds at 5
    ];
    const withCuts = {
      ...OPEN_SET,
      cuts: cuts.map((c) => ({ ...c, met: true, validation: OPEN_SET.validation, test: null, curve: [] })),
    };
    await writeMetrics(perCount, {
      ...COSINE_RUN,
      embedding: { normalize: 'l2', metric: 'cosine' },
      openSet: withCuts,
    });
    const matcher = await Matcher.load(perCount);
    expect(matcher.cuts).toEqual(cuts);
    // The classes the calibration's episodes drew from; without names in metrics.json, their numbers.
    expect(matcher.cutOrigin).toEqual({
      source: 'open-set',
      chosenOn: ['5', '6'],
      target: { kind: 'best-f1' },
    });
    expect([1, 2, 4, 5, 9].map((n) => matcher.thresholdFor(n))).toEqual([
      cuts[0]!.threshold,
      cuts[0]!.threshold,
      cuts[0]!.threshold,
      cuts[1]!.threshold,
      cuts[1]!.threshold,
    ]);
    for (const [label, images] of supports) matcher.add(label, images.subarray(0, 784));
    expect(matcher.matchAll(queries).filter((r) => r.unknown)).toHaveLength(10);
    matcher.clear();
    for (const [label, images] of supports) matcher.add(label, images);
    expect(matcher.matchAll(queries).filter((r) => r.unknown)).toHaveLength(20);
    // A caller's threshold replaces every cut.
    expect(matcher.matchAll(queries, { threshold: -1 }).some((r) => r.unknown)).toBe(false);
    matcher.dispose();
    // Given a threshold at load, the run's cuts are not used at all.
    const given = await Matcher.load(perCount, { threshold: 0.25 });
    expect([given.cuts, given.thresholdFor(1), given.thresholdFor(5)]).toEqual([[], 0.25, 0.25]);
    expect(given.cutOrigin).toEqual({ source: 'given', chosenOn: [], target: null });
    given.dispose();
    // The classes a calibration was chosen on, by name, and a precision target, as the trainer records them: a
    // refit run's recipe lists no validation classes (its final model trained on them); its openSet does.
    const named = join(runDir, 'cosine-named');
    await saveModelToDir(cosine.tower, join(named, 'tower'));
    const target = { kind: 'precision', min: 0.95 };
    await writeMetrics(named, {
      ...COSINE_RUN,
      recipe: { ...COSINE_RUN.recipe, validationClasses: [] },
      classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
      openSet: { ...withCuts, target, validation: { ...OPEN_SET.validation, classes: [1, 4] } },
    });
    const calibrated = await Matcher.load(named);
    expect(calibrated.cutOrigin).toEqual({ source: 'open-set', chosenOn: ['one', 'four'], target });
    calibrated.dispose();
    const pairs = await Matcher.load(oldRun);
    expect(pairs.cutOrigin).toEqual({ source: 'validation-pairs', chosenOn: [], target: null });
    pairs.dispose();
  });

  it('saves and reloads supports: the raw tower embeddings, compared by cosine', async () => {
    const first = await Matcher.load(newRun);
    for (const [label, images] of supportsFor(2, 44)) first.add(label, images);
    const saved = first.supports();
    // The tower's own output is stored, not its normalisation: the identity and values of any other run.
    const raw = embed(cosine.tower, supportsFor(2, 44).get('7')!);
    expect(saved.embeddings[0]![0]).toBeCloseTo(raw[0]!, 5);
    const second = await Matcher.load(newRun);
    await second.loadSupports(saved);
    const queries = subset(selectClasses(mnist.test, HELD_OUT), range(30)).images;
    const a = first.matchAll(queries);
    const b = second.matchAll(queries);
    expect(b.map((r) => r.label)).toEqual(a.map((r) => r.label));
    b.forEach((r, i) => {
      expect(r.similarity!).toBeCloseTo(a[i]!.similarity!, 5);
    });
    first.dispose();
    second.dispose();
  });

  it('wraps a cosine tower in memory with metric: cosine', async () => {
    const matcher = await Matcher.fromModel(cosine.tower, {
      run: 'tiny-metric',
      dataset: 'mnist',
      threshold: 0.2,
      metric: 'cosine',
    });
    expect([matcher.measure, matcher.thresholdSource]).toEqual(['similarity', 'given']);
    await expect(
      Matcher.fromModel(cosine.tower, { run: 't', dataset: 'mnist', threshold: 3, metric: 'cosine' }),
    ).rejects.toThrow(/threshold must be a number from -1 to 1, got 3/);
  });

  it('uses the open-set cut of a distance-head run as a distance, without pair/', async () => {
    const dir = join(runDir, 'distance-open-set');
    await saveModelToDir(model.tower, join(dir, 'tower'));
    await writeMetrics(dir, { openSet: { ...OPEN_SET, measure: 'distance', threshold: 1.25 } });
    const matcher = await Matcher.load(dir);
    expect([matcher.measure, matcher.threshold, matcher.thresholdSource]).toEqual([
      'distance',
      1.25,
      'open-set',
    ]);
    matcher.dispose();
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const matcher = await Matcher.load(newRun);
    for (const [label, images] of supportsFor(1, 45)) matcher.add(label, images);
    matcher.matchAll(subset(mnist.test, range(5)).images);
    matcher.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Matcher refuses degenerate input, naming it', () => {
  let matcher: Awaited<ReturnType<typeof Matcher.load>>;
  let digit: Uint8Array;
  beforeAll(async () => {
    matcher = await Matcher.fromModel(model.tower, { run: 'tiny', dataset: 'mnist', threshold: THRESHOLD });
    for (const [label, images] of supportsFor(2, 31)) matcher.add(label, images);
    digit = selectClasses(mnist.test, [7]).images.slice(0, 784);
  });

  it('refuses blank and near-blank pictures as supports and queries', () => {
    const blankPng = { data: new Uint8Array([255, 255, 255, 255]), width: 1, height: 1 };
    expect(() => matcher.add('8', [digit, blankPng])).toThrow(
      /^add\('8'\): image 1: blank image: no figure left after preprocessing/,
    );
    expect(matcher.labels.find((l) => l.label === '8')!.supports).toBe(2); // nothing was added
    expect(() => matcher.match(new Uint8Array(784))).toThrow(/^blank image/);
    const speck = new Uint8Array(784);
    speck[400] = 255; // one bright pixel in dataset form: ink of 1 pixel
    expect(() => matcher.matchAll([digit, speck])).toThrow(/^image 1: blank image: .*\(1\.0 pixels of ink/);
    const two = new Uint8Array(2 * 784);
    two.set(digit);
    expect(() => matcher.matchAll(two)).toThrow(/image 1 of the 2 in one array: blank image/);
  });

  it('refuses NaN, infinite and out-of-range pixels, other typed arrays and impossible sizes', () => {
    const floats = Float32Array.from(digit, (v) => v / 255);
    for (const [bad, shown] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [1000, '1000'],
      [-0.5, '-0.5'],
    ] as const) {
      const copy = floats.slice();
      copy[300] = bad;
      expect(() => matcher.match(copy)).toThrow(
        `pixel value 300 is ${shown}; float pixels must lie in [0, 1]`,
      );
      expect(() => matcher.match({ data: copy, width: 28, height: 28 })).toThrow(/pixel value 300/);
    }
    const wide = Uint16Array.from(digit, (v) => v * 4);
    expect(() => matcher.match(wide as unknown as Uint8Array)).toThrow(
      /pixels must be a Uint8Array, Uint8ClampedArray or Float32Array, got Uint16Array/,
    );
    expect(() => matcher.match({ data: digit, width: Number.NaN, height: 28 })).toThrow(
      /width and height must be whole numbers of pixels, got NaN×28/,
    );
    expect(() => matcher.match({ data: digit, width: 28.5, height: 28 })).toThrow(/got 28\.5×28/);
    expect(() => matcher.match({ data: digit, width: 28, height: 28, channels: 2 as 1 })).toThrow(
      /channels must be 1, 3 or 4/,
    );
  });

  it('refuses null and undefined with a message instead of a TypeError', () => {
    const loose = matcher as unknown as { add(l: unknown, i: unknown): void; match(i: unknown): unknown };
    expect(() => loose.add('7', null)).toThrow(/^add\('7'\): no images given \(got null\)$/);
    expect(() => loose.add('7', [digit, undefined])).toThrow(
      /^add\('7'\): image 1: expected an image .*got undefined/,
    );
    expect(() => loose.add(null, digit)).toThrow(/a label must be a non-empty string/);
    expect(() => loose.match(null)).toThrow(/expected an image .*got null/);
    expect(() => matcher.matchAll(null as unknown as Uint8Array)).toThrow(/no images given \(got null\)/);
    expect(() => loose.match({ width: 28, height: 28 })).toThrow(/needs \{ data, width, height \}/);
  });

  it("reserves 'unknown' in any case", () => {
    for (const label of ['unknown', 'UNKNOWN', 'Unknown', ' unknown ']) {
      expect(() => matcher.add(label, digit)).toThrow(/is reserved \(in any case\)/);
    }
  });

  it('checks options as the CLI does: k and the threshold in their documented ranges', async () => {
    expect(() => matcher.matchAll(digit, { k: 0 })).toThrow('k must be a whole number from 1 to 1000, got 0');
    expect(() => matcher.matchAll(digit, { k: 1001 })).toThrow(/k must be .* got 1001/);
    expect(() => matcher.matchAll(digit, { k: 1.5 })).toThrow(/got 1\.5/);
    for (const t of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, 2e6]) {
      expect(() => matcher.matchAll(digit, { threshold: t })).toThrow(
        `threshold must be a number above 0 and at most 1000000, got ${t}`,
      );
    }
    const source = { run: 'tiny', dataset: 'mnist' };
    await expect(Matcher.fromModel(model.tower, { ...source, threshold: -1 })).rejects.toThrow(
      /threshold must be a number above 0/,
    );
    await expect(Matcher.load(runDir, { threshold: Number.NaN })).rejects.toThrow(/got NaN/);
  });

  it('refuses saved supports with non-finite float32 embeddings or a reserved label, naming the file', async () => {
    const good = matcher.supports();
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-supports-'));
    const huge = join(dir, 'huge.json');
    const embeddings = good.embeddings.map((row, i) =>
      i === 1 ? row.map((v, j) => (j === 2 ? 1e308 : v)) : row,
    );
    await writeFile(huge, JSON.stringify({ ...good, embeddings }));
    const fresh = await Matcher.fromModel(model.tower, { ...source(), threshold: THRESHOLD });
    await expect(fresh.loadSupports(huge)).rejects.toThrow(
      /huge\.json: does not match the expected format: embeddings\.1\.2: must be a finite float32/,
    );
    const reserved = join(dir, 'reserved.json');
    await writeFile(
      reserved,
      JSON.stringify({ ...good, labels: good.labels.map((l, i) => (i ? l : 'UNKNOWN')) }),
    );
    await expect(fresh.loadSupports(reserved)).rejects.toThrow(
      /reserved\.json: .*labels\.0: 'UNKNOWN' is reserved/,
    );
    expect(fresh.labels).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  function source() {
    return { run: 'tiny', dataset: 'mnist' };
  }
});

describe('Matcher I/O', () => {
  it('reads local paths only through an injected io: the default is fetch', async () => {
    await expect(BrowserMatcher.load(runDir)).rejects.toThrow(
      /not a trained run or an exported matcher \(.*metrics.json: cannot be fetched .*use Matcher from '@twinnet\/core\/node'/,
    );
    const reads: string[] = [];
    const io = {
      readBytes: async (location: string) => {
        reads.push(location);
        return new Uint8Array(await readFile(location));
      },
      readText: async (location: string) => {
        reads.push(location);
        return readFile(location, 'utf8');
      },
      writeText: async (location: string, text: string) => {
        reads.push(`write ${location} ${text.length}`);
      },
    };
    const matcher = await BrowserMatcher.load(runDir, { io });
    expect(reads.map((r) => r.slice(runDir.length))).toEqual([
      '/metrics.json',
      '/tower/model.json',
      '/tower/weights.bin',
      '/pair/model.json',
      '/pair/weights.bin',
    ]);
    for (const [label, images] of supportsFor(1, 41)) matcher.add(label, images);
    await matcher.saveSupports('somewhere.json');
    expect(reads.at(-1)).toMatch(/^write somewhere\.json \d+$/);
    matcher.dispose();
    const browser = await BrowserMatcher.fromModel(model.tower, {
      run: 'tiny',
      dataset: 'mnist',
      threshold: 1,
    });
    await expect(browser.saveSupports('gallery.json')).rejects.toThrow(
      /gallery\.json: cannot be written with fetch; in a browser store supports\(\) yourself/,
    );
  });

  it('imports no node: module, not even dynamically, from anything matcher.ts reaches', async () => {
    const seen = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toMatch(/\bimport\s*\(/);
      const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
      expect(
        specifiers.filter((s) => s.startsWith('node:')),
        file,
      ).toEqual([]);
      for (const s of specifiers.filter((s) => s.startsWith('.'))) await visit(join(dirname(file), s));
    };
    await visit(fileURLToPath(new URL('../src/match/matcher.ts', import.meta.url)));
    expect(seen.size).toBeGreaterThan(5);
    expect([...seen].some((f) => f.endsWith('node-io.ts'))).toBe(false);
  });
});

function distance(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let sum = 0;
  for (let d = 0; d < DIM; d++) sum += (a[i * DIM + d]! - b[j * DIM + d]!) ** 2;
  return Math.sqrt(sum);
}

/** The mean of rows of DIM: a label's prototype. */
function meanOf(rows: Float32Array): Float32Array {
  const count = rows.length / DIM;
  const out = new Float32Array(DIM);
  for (let r = 0; r < count; r++) for (let d = 0; d < DIM; d++) out[d]! += rows[r * DIM + d]! / count;
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
