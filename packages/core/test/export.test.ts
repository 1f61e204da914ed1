import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, loadDataset, selectClasses, subset } from '@twinnet/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.ts';
import { datasetSpec } from '../src/datasets.ts';
import { saveModelToDir } from '../src/io/files.ts';
import { exportMatcher } from '../src/match/export.ts';
import { Matcher as BrowserMatcher } from '../src/match/matcher.ts';
import { Matcher } from '../src/match/node-matcher.ts';
import { buildSiamese, disposeSiamese } from '../src/model/siamese.ts';
import { range } from '../src/random.ts';
import { ExportedMatcherSchema } from '../src/schemas/matcher.ts';

type Kind = 'distance' | 'mlp' | 'cosine';
const KINDS: readonly Kind[] = ['distance', 'mlp', 'cosine'];
const HELD_OUT = [7, 8, 9];

let scratch: string;
let mnist: Dataset;
const runs = {} as Record<Kind, string>;
const exports = {} as Record<Kind, string>;

/**
 * A run folder as the trainer writes one, with seeded untrained models: tower/, pair/ and head/, a metrics.json
 * with the fields the matcher reads and the provenance the export keeps, and a file the export must leave out.
 * The cosine run has open-set cuts per support count, on fashion-mnist (framed 'fill'); the distance run has
 * none, so its threshold goes through pair/'s calibration.
 */
async function writeRun(dir: string, kind: Kind, seed = 5): Promise<string> {
  const model = buildSiamese({ tower: 'small', head: kind, embeddingDim: 12, headHidden: 8, seed });
  try {
    await saveModelToDir(model.tower, join(dir, 'tower'));
    await saveModelToDir(model.pair, join(dir, 'pair'));
    await saveModelToDir(model.headModel, join(dir, 'head'));
  } finally {
    disposeSiamese(model);
  }
  const byKind = {
    distance: { variant: 'contrastive', polarity: 'lower-is-same', test: { threshold: 0.6 } },
    mlp: { variant: 'bce', polarity: 'higher-is-same', test: { threshold: 0.05 } },
    cosine: {
      variant: 'metric',
      dataset: 'fashion-mnist',
      polarity: 'higher-is-same',
      embedding: { normalize: 'l2', metric: 'cosine' },
      test: { threshold: 0.99 },
      classNames: datasetSpec('fashion-mnist').classNames,
      openSet: {
        target: { kind: 'precision', min: 0.9 },
        validation: { classes: [1, 2, 4] },
        measure: 'similarity',
        threshold: 0.97,
        cuts: [
          { shots: 1, threshold: 0.98 },
          { shots: 3, threshold: 0.97 },
        ],
      },
    },
  }[kind];
  const metrics = {
    run: `tiny-${kind}`,
    dataset: 'mnist',
    recipe: {
      variant: byKind.variant,
      head: { kind, hidden: 8 },
    },
    gitCommit: 'abc1234',
    gitDirty: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    ...byKind,
  };
  await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
  await writeFile(join(dir, 'predictions.json'), '{}');
  return dir;
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-export-'));
  mnist = await loadDataset('mnist');
  for (const kind of KINDS) {
    runs[kind] = await writeRun(join(scratch, 'runs', kind), kind);
    exports[kind] = join(scratch, 'exports', kind);
    await exportMatcher(runs[kind], exports[kind], { now: new Date('2026-12-07T00:00:00Z') });
  }
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Three supports of each held-out class and 12 other images as queries, from the test split. */
function images(): { supports: [string, Uint8Array][]; queries: Uint8Array } {
  const unseen = selectClasses(mnist.test, HELD_OUT);
  const supports = HELD_OUT.map((c): [string, Uint8Array] => {
    const members = range(unseen.count).filter((i) => unseen.labels[i] === c);
    return [String(c), subset(unseen, Int32Array.from(members.slice(0, 3))).images];
  });
  const queries = subset(
    unseen,
    Int32Array.from(range(12), (i) => 100 + i),
  ).images;
  return { supports, queries };
}

/** Everything a user sees of a loaded matcher, and its answers to the same supports and queries. */
function behaviour(matcher: BrowserMatcher) {
  const { supports, queries } = images();
  for (const [label, batch] of supports) matcher.add(label, batch);
  const { model, threshold, thresholdSource, cutOrigin, cuts, style, measure, polarity } = matcher;
  const results = matcher.matchAll(queries, { k: 3 });
  // One support of one label: the 1-shot cut applies where a run has one.
  matcher.clear();
  matcher.add('7', supports[0]![1].subarray(0, 784));
  const oneShot = matcher.matchAll(queries);
  return { model, threshold, thresholdSource, cutOrigin, cuts, style, measure, polarity, results, oneShot };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(dir, `${prefix}${e.name}/`) : Promise.resolve([`${prefix}${e.name}`]),
    ),
  );
  return nested.flat().sort();
}

describe('exportMatcher', () => {
  it.each(KINDS)('a %s-head export matches exactly as its run does', async (kind) => {
    const fromRun = await Matcher.load(runs[kind]);
    const fromExport = await Matcher.load(exports[kind]);
    try {
      const run = behaviour(fromRun);
      expect(run.results.length).toBe(12);
      expect(behaviour(fromExport)).toEqual(run);
    } finally {
      fromRun.dispose();
      fromExport.dispose();
    }
  });

  it('keeps only what Matcher.load reads: metrics.json, tower/ and, for an MLP head, head/', async () => {
    const tower = ['tower/model.json', 'tower/weights.bin'];
    expect(await listFiles(exports.cosine)).toEqual(['metrics.json', ...tower]);
    expect(await listFiles(exports.distance)).toEqual(['metrics.json', ...tower]);
    expect(await listFiles(exports.mlp)).toEqual([
      'head/model.json',
      'head/weights.bin',
      'metrics.json',
      ...tower,
    ]);
    const cosine = ExportedMatcherSchema.parse(
      JSON.parse(await readFile(join(exports.cosine, 'metrics.json'), 'utf8')),
    );
    expect(cosine).toMatchObject({
      format: 'twinnet-matcher',
      run: 'tiny-cosine',
      dataset: 'fashion-mnist',
      framing: 'fill',
      gitCommit: 'abc1234',
      exportedAt: '2026-12-07T00:00:00.000Z',
      embedding: { metric: 'cosine' },
      openSet: {
        threshold: 0.97,
        cuts: [
          { shots: 1, threshold: 0.98 },
          { shots: 3, threshold: 0.97 },
        ],
      },
    });
    expect(cosine.distanceCalibration).toBeUndefined();
    // Where its cuts came from travels with them: pnpm match names the classes and the target.
    const loaded = await Matcher.load(exports.cosine);
    expect(loaded.cutOrigin).toEqual({
      source: 'open-set',
      chosenOn: ['Trouser', 'Pullover', 'Coat'],
      target: { kind: 'precision', min: 0.9 },
    });
    loaded.dispose();
    const distance = JSON.parse(await readFile(join(exports.distance, 'metrics.json'), 'utf8'));
    // pair/ is left out: its calibration, which turns test.threshold into a distance, comes along instead.
    expect(distance.distanceCalibration).toEqual({ w: expect.any(Number), b: expect.any(Number) });
    expect(distance.embedding).toEqual({ normalize: 'none', metric: 'euclidean' });
  });

  it('lets supports saved with the run load into its export (the same tower identity)', async () => {
    const fromRun = await Matcher.load(runs.mlp);
    const fromExport = await Matcher.load(exports.mlp);
    const saved = join(scratch, 'supports.json');
    try {
      for (const [label, batch] of images().supports) fromRun.add(label, batch);
      await fromRun.saveSupports(saved);
      await fromExport.loadSupports(saved);
      expect(fromExport.labels).toEqual(fromRun.labels);
    } finally {
      fromRun.dispose();
      fromExport.dispose();
    }
  });

  it('is read over HTTP by the browser entry, which asks for no file the export lacks', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      const path = decodeURIComponent(request.url ?? '/');
      readFile(join(scratch, 'exports', path))
        .then((body) => {
          requests.push(`200 ${path}`);
          response.end(body);
        })
        .catch(() => {
          requests.push(`404 ${path}`);
          response.statusCode = 404;
          response.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const overHttp = await BrowserMatcher.load(`http://127.0.0.1:${port}/mlp`);
      const fromDisk = await Matcher.load(exports.mlp);
      expect(behaviour(overHttp)).toEqual(behaviour(fromDisk));
      overHttp.dispose();
      fromDisk.dispose();
      expect(requests.sort()).toEqual(
        ['head/model.json', 'head/weights.bin', 'metrics.json', 'tower/model.json', 'tower/weights.bin'].map(
          (f) => `200 /mlp/${f}`,
        ),
      );
    } finally {
      server.close();
    }
  });
});

describe('Matcher.load of an export', () => {
  /** A copy of an export with one file deleted. */
  async function without(kind: Kind, file: string): Promise<string> {
    const dir = await mkdtemp(join(scratch, 'broken-'));
    await cp(exports[kind], dir, { recursive: true });
    await rm(join(dir, file));
    return dir;
  }

  it.each([
    ['mlp', 'metrics.json'],
    ['mlp', 'tower/model.json'],
    ['mlp', 'tower/weights.bin'],
    ['mlp', 'head/model.json'],
    ['mlp', 'head/weights.bin'],
    ['distance', 'tower/weights.bin'],
    ['cosine', 'tower/model.json'],
  ] as const)('refuses a %s export without %s, naming it', async (kind, file) => {
    const dir = await without(kind, file);
    await expect(Matcher.load(dir)).rejects.toThrow(`${dir}/${file}: cannot be read (no such file)`);
  });

  it("refuses a tower that is not the export's, and a distance export without its calibration", async () => {
    const other = await writeRun(join(scratch, 'other-run'), 'distance', 99);
    const swapped = await mkdtemp(join(scratch, 'swapped-'));
    await cp(exports.distance, swapped, { recursive: true });
    await rm(join(swapped, 'tower'), { recursive: true });
    await cp(join(other, 'tower'), join(swapped, 'tower'), { recursive: true });
    await expect(Matcher.load(swapped)).rejects.toThrow(
      `${swapped}/tower/model.json: not the tower this matcher was exported with`,
    );

    const metrics = JSON.parse(await readFile(join(exports.distance, 'metrics.json'), 'utf8'));
    delete metrics.distanceCalibration;
    await writeFile(join(swapped, 'metrics.json'), JSON.stringify(metrics));
    await expect(Matcher.load(swapped)).rejects.toThrow(
      /metrics.json: does not match the expected format: distanceCalibration: a distance-head export without openSet needs/,
    );
    await writeFile(join(swapped, 'metrics.json'), JSON.stringify({ ...metrics, version: 2 }));
    await expect(Matcher.load(swapped)).rejects.toThrow(
      /metrics.json: does not match the expected format: version/,
    );
  });

  it('preprocesses pictures as its metrics.json frames them', async () => {
    const dir = await mkdtemp(join(scratch, 'framing-'));
    await cp(exports.cosine, dir, { recursive: true });
    const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8'));
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ ...metrics, framing: 'digit' }));
    const matcher = await Matcher.load(dir);
    // fashion-mnist's own framing is 'fill'; the export's word is what counts.
    expect(matcher.style).toBe('digit');
    matcher.dispose();
  });
});

describe('exportMatcher refuses', () => {
  it('a folder that is no run, naming its metrics.json', async () => {
    const missing = join(scratch, 'no-such-run');
    await expect(exportMatcher(missing, join(scratch, 'out-1'))).rejects.toThrow(
      `${missing}: not a trained run (${missing}/metrics.json: cannot be read (no such file))`,
    );
    await expect(exportMatcher(exports.cosine, join(scratch, 'out-2'))).rejects.toThrow(
      'is already an exported matcher',
    );
  });

  it('to write over the run, or over a folder that is not an earlier export', async () => {
    await expect(exportMatcher(runs.cosine, `${runs.cosine}/`)).rejects.toThrow('is the run itself');
    const busy = join(scratch, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'notes.txt'), 'mine');
    await expect(exportMatcher(runs.cosine, busy)).rejects.toThrow(
      `${busy}: exists and is not an exported matcher`,
    );
    expect(await readFile(join(busy, 'notes.txt'), 'utf8')).toBe('mine');
    // An earlier export is replaced whole: the cosine run's files take the MLP export's place.
    const again = join(scratch, 'again');
    await cp(exports.mlp, again, { recursive: true });
    const summary = await exportMatcher(runs.cosine, again);
    expect(summary.files.map((f) => f.path)).toEqual([
      'metrics.json',
      'tower/model.json',
      'tower/weights.bin',
    ]);
    expect(await listFiles(again)).toEqual(summary.files.map((f) => f.path));
    expect(summary.bytes).toBe(summary.files.reduce((n, f) => n + f.bytes, 0));
  });
});
