// The open set as the pages report it, from the fixture metric run's metrics.json (cuts per support count, cut
// curves, cross-dataset episodes) and the copy of it written as a run before per-count cuts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cutForSupports, type Metrics, MetricsSchema, type OpenSet, parseArtifact } from '@twinnet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appliedCuts,
  BEFORE_PER_COUNT,
  crossDataset,
  cutCurves,
  cutFor,
  cutSentence,
  cutsAt,
  runCuts,
} from '../src/lib/open-set.ts';
import { fixtureArtifacts } from './setup/fixtures.ts';
import { LEGACY_FIXTURE_RUN, METRIC_FIXTURE_RUN, SINGLE_CUT_FIXTURE_RUN } from './setup/paths.ts';

const read = async (run: string) =>
  parseArtifact(MetricsSchema, await readFile(join(fixtureArtifacts(), run, 'metrics.json'), 'utf8'), run);

let metric: Metrics;
let openSet: OpenSet;
let singleCut: Metrics;
let legacy: Metrics;
beforeAll(async () => {
  metric = await read(METRIC_FIXTURE_RUN);
  singleCut = await read(SINGLE_CUT_FIXTURE_RUN);
  legacy = await read(LEGACY_FIXTURE_RUN);
  openSet = metric.openSet!;
});

describe('cuts per support count', () => {
  it('the fixture metric run keeps a cut at 1, 2, 3, 5 and 10 supports, the 5-shot one repeated on top', () => {
    expect(openSet.cuts?.map((c) => c.shots)).toEqual([1, 2, 3, 5, 10]);
    const five = openSet.cuts!.find((c) => c.shots === 5)!;
    expect(openSet.threshold).toBe(five.threshold);
  });

  it('reports the cuts at 1 and 5 supports with their own figures', () => {
    const [one, five] = cutsAt(openSet);
    const cut = (k: number) => openSet.cuts!.find((c) => c.shots === k)!;
    expect(one).toMatchObject({ shots: 1, perCount: true });
    expect(one!.cut).toEqual(withoutCurve(cut(1)));
    expect(five!.cut).toEqual(withoutCurve(cut(5)));
    expect(cutsAt(openSet, [2, 7])).toEqual([
      { shots: 2, cut: withoutCurve(cut(2)), perCount: true },
      { shots: 7, why: 'no 7-shot cut' },
    ]);
  });

  it('a run written before per-count cuts has its one 5-shot cut, and a reason at 1 shot', () => {
    const old = singleCut.openSet!;
    expect(old.cuts).toBeUndefined();
    expect(runCuts(old)).toEqual({
      cuts: [
        { shots: 5, threshold: old.threshold, met: old.met, validation: old.validation, test: old.test },
      ],
      perCount: false,
    });
    const [one, five] = cutsAt(old);
    expect(one).toEqual({ shots: 1, why: `${BEFORE_PER_COUNT}: its 5-shot cut served every count` });
    expect(five).toMatchObject({ shots: 5, perCount: false, cut: { threshold: old.threshold } });
    expect(cutCurves(old)).toBeUndefined();
  });
});

describe('cut curves', () => {
  it('are the curves of metrics.json, fewest supports first, with the chosen cut and its rates', () => {
    const { curves, xDomain } = cutCurves(openSet)!;
    expect(curves.map((c) => c.shots)).toEqual([1, 2, 3, 5, 10]);
    for (const c of curves) {
      const cut = openSet.cuts!.find((k) => k.shots === c.shots)!;
      expect(c.threshold).toBe(cut.threshold);
      expect(c.precision).toEqual(cut.curve.map((p) => [p.threshold, p.precision]));
      expect(c.recall).toEqual(cut.curve.map((p) => [p.threshold, p.recall]));
      expect(c.at).toEqual({ precision: cut.validation.precision, recall: cut.validation.recall });
    }
    // One axis for all: every cut of every curve, and every chosen cut, within it.
    const xs = openSet.cuts!.flatMap((c) => [c.threshold, ...c.curve.map((p) => p.threshold)]);
    expect(xDomain).toEqual([Math.min(...xs), Math.max(...xs)]);
  });

  it('come out in order of support count whatever the order in the file', () => {
    const shuffled = { ...openSet, cuts: [...openSet.cuts!].reverse() };
    expect(cutCurves(shuffled)!.curves.map((c) => c.shots)).toEqual([1, 2, 3, 5, 10]);
  });
});

describe('the cut a matcher applies', () => {
  const cuts = [
    { shots: 5, threshold: 0.5 },
    { shots: 1, threshold: 0.9 },
    { shots: 2, threshold: 0.7 },
  ];

  it('is the cut of the largest count up to the label’s, as core chooses it', () => {
    for (let n = 1; n <= 12; n++) expect(cutFor(cuts, n).threshold).toBe(cutForSupports(cuts, n));
    expect(cutFor(cuts, 4)).toEqual({ shots: 2, threshold: 0.7 });
    expect(cutFor([{ shots: 3, threshold: 0.4 }], 1)).toEqual({ shots: 3, threshold: 0.4 });
  });

  it('is listed once per count of supports in use, or is the one threshold without cuts', () => {
    expect(appliedCuts({ cuts, threshold: 0.5 }, [1, 6, 1])).toEqual([
      { supports: 1, shots: 1, threshold: 0.9 },
      { supports: 6, shots: 5, threshold: 0.5 },
    ]);
    expect(appliedCuts({ cuts: [], threshold: 0.6 }, [1, 3])).toEqual([
      { supports: 1, threshold: 0.6 },
      { supports: 3, threshold: 0.6 },
    ]);
  });

  it('is named in the legend: the count’s cut, or the one cut of an older run, or the pair threshold', () => {
    const matcher = {
      cuts,
      threshold: 0.5,
      thresholdSource: 'open-set',
      polarity: 'higher-is-same',
    } as const;
    expect(cutSentence(matcher, [1, 1, 1])).toMatch(
      /^above the run's 1-shot open-set cut, 0\.900, counts as a match \(✓\): the cut for labels of 1 support, calibrated per count/,
    );
    expect(cutSentence(matcher, [])).toMatch(/1-shot open-set cut, 0\.900/);
    expect(cutSentence(matcher, [1, 3])).toMatch(
      /for each label's count of supports counts as a match \(✓\): 1 support: the 1-shot cut, 0\.900; 3 supports: the 2-shot cut, 0\.700;/,
    );
    expect(cutSentence({ ...matcher, cuts: [] }, [1])).toMatch(
      /^above the run's open-set cut .*, 0\.500, counts as a match \(✓\); the run was written before per-count cuts/,
    );
    expect(
      cutSentence(
        { cuts: [], threshold: 1.2, thresholdSource: 'validation-pairs', polarity: 'lower-is-same' },
        [1],
      ),
    ).toBe('below the threshold chosen on validation pairs, 1.200, counts as a match (✓).');
  });
});

describe('cross-dataset episodes', () => {
  it('are the other dataset’s 10-way 1-shot beside raw pixels', () => {
    const cross = crossDataset(metric);
    expect(cross.figures).toEqual(metric.oneShot!.crossDataset);
    expect(cross.figures!.map((c) => [c.dataset, c.result.ways, c.result.shots])).toEqual([
      ['fashion-mnist', 10, 1],
    ]);
    expect(cross.figures![0]!.rawPixels.episodes).toBe(cross.figures![0]!.result.episodes);
  });

  it('say why a run has none', () => {
    expect(crossDataset(singleCut)).toEqual({ why: 'run written before cross-dataset episodes' });
    expect(crossDataset(legacy)).toEqual({ why: 'run written before cross-dataset episodes' });
    expect(crossDataset({ ...metric, oneShot: null })).toEqual({ why: 'no one-shot figures' });
    expect(crossDataset({ ...metric, oneShot: { ...metric.oneShot!, crossDataset: [] } })).toEqual({
      why: 'no other dataset',
    });
  });
});

const withoutCurve = ({ curve: _, ...cut }: NonNullable<OpenSet['cuts']>[number]) => cut;
