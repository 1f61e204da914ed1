// The transfer table's rows: how well each hold-out run's embedding carries over to classes it never trained on,
// beside raw pixels on the same episodes, and its open-set figures. Pure data from metrics.json; fields that
// older runs lack (validation classes, the open-set cut) come out as absent, never as errors.
import type { Metrics, OpenSet } from '@twinnet/core';
import { type CrossDataset, type CutAt, crossDataset, cutsAt } from './open-set.ts';

type Episodes = NonNullable<Metrics['oneShot']>['unseen'][number];

/** One kind of unseen-class episode (e.g. 3-way 1-shot): the model's figure and raw pixels' on the same ones. */
export interface TransferCell {
  model: Episodes;
  /** Absent when the run has no raw-pixel figure for these episodes. */
  pixels?: Episodes;
}

export interface TransferRow {
  run: string;
  dataset: string;
  variant: string;
  classNames: string[];
  heldOutClasses: number[];
  /** The classes that made the run's choices; in a refit run, the final model then trained on them too. */
  validationClasses: number[];
  refit: boolean;
  /** By column key ("3-way 1-shot"). */
  cells: Record<string, TransferCell>;
  /**
   * The open-set cut and its figures; null for a run without validation classes, undefined for a run written
   * before the cut was calibrated.
   */
  openSet: OpenSet | null | undefined;
  /** The cut at 1 and at 5 supports (REPORTED_SHOTS), each or a reason; empty without an open set. */
  cutsAt: CutAt[];
  /** N-way 1-shot on other datasets beside raw pixels, or why the run has none. */
  crossDataset: CrossDataset;
}

export interface TransferColumn {
  key: string;
  ways: number;
  shots: number;
}

export const episodeKey = (e: { ways: number; shots: number }): string => `${e.ways}-way ${e.shots}-shot`;

/** Runs with held-out classes and one-shot figures, by dataset then name. */
export function transferRows(runs: readonly Metrics[]): TransferRow[] {
  return runs
    .filter((m) => m.oneShot && m.recipe.heldOutClasses.length > 0)
    .map((m) => {
      const oneShot = m.oneShot!;
      const cells: Record<string, TransferCell> = {};
      oneShot.unseen.forEach((model, i) => {
        const same = oneShot.unseenRawPixels[i];
        const pixels = same && same.ways === model.ways && same.shots === model.shots ? same : undefined;
        cells[episodeKey(model)] = pixels ? { model, pixels } : { model };
      });
      return {
        run: m.run,
        dataset: m.dataset,
        variant: m.recipe.variant,
        classNames: m.classNames,
        heldOutClasses: m.recipe.heldOutClasses,
        validationClasses: m.selection?.validationClasses ?? m.recipe.validationClasses ?? [],
        refit: m.selection !== undefined,
        cells,
        openSet: m.openSet,
        cutsAt: m.openSet ? cutsAt(m.openSet) : [],
        crossDataset: crossDataset(m),
      };
    })
    .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.run.localeCompare(b.run));
}

/** The episode kinds any row has, by shots then ways. */
export function transferColumns(rows: readonly TransferRow[]): TransferColumn[] {
  const columns = new Map<string, TransferColumn>();
  for (const row of rows) {
    for (const [key, { model }] of Object.entries(row.cells)) {
      columns.set(key, { key, ways: model.ways, shots: model.shots });
    }
  }
  return [...columns.values()].sort((a, b) => a.shots - b.shots || a.ways - b.ways);
}

/** The best model accuracy per dataset and column, to mark in the table. */
export function bestByColumn(rows: readonly TransferRow[]): Map<string, number> {
  const best = new Map<string, number>();
  for (const row of rows) {
    for (const [key, cell] of Object.entries(row.cells)) {
      const at = `${row.dataset}\0${key}`;
      best.set(at, Math.max(best.get(at) ?? 0, cell.model.accuracy));
    }
  }
  return best;
}

/** The open-set target in words: "best F1" or "precision ≥ 95%". */
export const targetLabel = (target: OpenSet['target']): string =>
  target.kind === 'best-f1' ? 'best F1' : `precision ≥ ${Math.round(100 * target.min)}%`;
