// The transfer table's rows from the fixture runs' metrics.json: a transfer run with validation classes and an
// open-set cut, seed reproductions without them, and a run written before those fields existed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Metrics, MetricsSchema, parseArtifact } from '@twinnet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bestByColumn,
  type TransferRow,
  targetLabel,
  transferColumns,
  transferRows,
} from '../src/lib/transfer.ts';
import { fixtureArtifacts } from './setup/fixtures.ts';
import {
  FIXTURE_RUN,
  LEGACY_FIXTURE_RUN,
  METRIC_FIXTURE_RUN,
  MLP_FIXTURE_RUN,
  SINGLE_CUT_FIXTURE_RUN,
} from './setup/paths.ts';

const read = async (run: string) =>
  parseArtifact(MetricsSchema, await readFile(join(fixtureArtifacts(), run, 'metrics.json'), 'utf8'), run);

describe('transfer table rows', () => {
  let runs: Metrics[];
  let rows: TransferRow[];
  beforeAll(async () => {
    runs = await Promise.all(
      [METRIC_FIXTURE_RUN, FIXTURE_RUN, LEGACY_FIXTURE_RUN, MLP_FIXTURE_RUN, SINGLE_CUT_FIXTURE_RUN].map(
        read,
      ),
    );
    rows = transferRows(runs);
  });
  const row = (run: string) => rows.find((r) => r.run === run)!;

  it('has every hold-out run, by name', () => {
    expect(rows.map((r) => r.run)).toEqual(
      [METRIC_FIXTURE_RUN, FIXTURE_RUN, LEGACY_FIXTURE_RUN, MLP_FIXTURE_RUN, SINGLE_CUT_FIXTURE_RUN].sort(),
    );
  });

  it('pairs each unseen-class figure with raw pixels on the same episodes', () => {
    expect(transferColumns(rows).map((c) => c.key)).toEqual(['3-way 1-shot', '3-way 5-shot']);
    const metrics = runs[0]!;
    const cells = row(METRIC_FIXTURE_RUN).cells;
    expect(cells['3-way 1-shot']).toEqual({
      model: metrics.oneShot!.unseen[0],
      pixels: metrics.oneShot!.unseenRawPixels[0],
    });
    expect(cells['3-way 5-shot']!.model.shots).toBe(5);
  });

  it('carries the open-set cut and validation classes of a transfer run', () => {
    const metric = row(METRIC_FIXTURE_RUN);
    expect(metric.validationClasses).toEqual([1, 2, 4]);
    // The preset refits: the final model trained on 1, 2 and 4 as well, after they chose its cut.
    expect(metric.refit).toBe(true);
    expect(metric.openSet?.measure).toBe('similarity');
    expect(metric.openSet?.test?.classes).toEqual([7, 8, 9]);
    expect(targetLabel(metric.openSet!.target)).toBe('best F1');
  });

  it('carries the cuts at 1 and 5 supports, and the one 5-shot cut of a run written before per-count cuts', () => {
    const metrics = runs[0]!;
    expect(row(METRIC_FIXTURE_RUN).cutsAt.map((at) => [at.shots, at.cut?.threshold])).toEqual(
      [1, 5].map((k) => [k, metrics.openSet!.cuts!.find((c) => c.shots === k)!.threshold]),
    );
    const old = row(SINGLE_CUT_FIXTURE_RUN);
    expect(old.cutsAt.map((at) => [at.shots, at.cut?.threshold, at.why])).toEqual([
      [1, undefined, 'run written before per-count cuts: its 5-shot cut served every count'],
      [5, old.openSet!.threshold, undefined],
    ]);
    expect(row(FIXTURE_RUN).cutsAt).toEqual([]);
    expect(row(LEGACY_FIXTURE_RUN).cutsAt).toEqual([]);
  });

  it('carries the cross-dataset episodes beside raw pixels, or why a run has none', () => {
    expect(row(METRIC_FIXTURE_RUN).crossDataset.figures).toEqual(runs[0]!.oneShot!.crossDataset);
    expect(row(FIXTURE_RUN).crossDataset.figures).toHaveLength(1);
    for (const run of [SINGLE_CUT_FIXTURE_RUN, LEGACY_FIXTURE_RUN]) {
      expect(row(run).crossDataset).toEqual({ why: 'run written before cross-dataset episodes' });
    }
  });

  it('tells a run without validation classes (null) from one written before the cut (absent)', () => {
    expect(row(FIXTURE_RUN).openSet).toBeNull();
    expect(row(LEGACY_FIXTURE_RUN).openSet).toBeUndefined();
    expect(row(LEGACY_FIXTURE_RUN).validationClasses).toEqual([]);
    expect(row(LEGACY_FIXTURE_RUN).refit).toBe(false);
  });

  it('marks the best model figure per dataset and column', () => {
    const best = bestByColumn(rows).get('mnist\0' + '3-way 1-shot');
    expect(best).toBe(Math.max(...rows.map((r) => r.cells['3-way 1-shot']!.model.accuracy)));
  });

  it('leaves out runs on all classes', () => {
    const allClasses = { ...runs[1]!, run: 'x', recipe: { ...runs[1]!.recipe, heldOutClasses: [] } };
    expect(transferRows([allClasses])).toEqual([]);
  });

  it('reads targets of a minimum precision', () => {
    expect(targetLabel({ kind: 'precision', min: 0.95 })).toBe('precision ≥ 95%');
  });
});
