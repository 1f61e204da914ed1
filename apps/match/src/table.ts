import { type Matcher, type MatchResult, measureValue } from '@twinnet/core';
import { labelCuts } from './cut-note.ts';

/** The value a result is ranked by: its distance, its cosine similarity, or its score on MLP-head runs. */
export const closeness = measureValue;

const format = (value: number) => value.toFixed(3);

/**
 * A plain-text table printed a batch of rows at a time: query, best label, its distance (or similarity, or
 * score), runner-up.
 * The columns are sized up front from every query name and label, so rows printed early line up with later
 * ones. When the answer is 'unknown' the runner-up is the closest label, which was too far to accept.
 */
export class Table {
  private readonly widths: number[];
  private readonly header: string[];
  private count = 0;
  private unknown = 0;

  constructor(
    names: readonly string[],
    labels: readonly string[],
    private readonly matcher: Pick<Matcher, 'measure' | 'polarity' | 'thresholdFor' | 'labels'>,
  ) {
    this.header = ['query', 'best', matcher.measure, 'runner-up'];
    this.widths = [
      Math.max(5, ...names.map((n) => n.length)),
      Math.max(4, 'unknown'.length, ...labels.map((l) => l.length)),
      // Distances print as 0.123, similarities as -0.123; scores, which are logits, as -12.345.
      Math.max(matcher.measure.length, 8),
    ];
  }

  head(): string {
    return this.line(this.header);
  }

  row(query: string, result: MatchResult): string {
    this.count++;
    if (result.unknown) this.unknown++;
    const runnerUp = result.unknown ? result.ranked[0] : result.ranked[1];
    return this.line([
      query,
      result.label,
      format(closeness(result)),
      runnerUp ? `${runnerUp.label} (${format(closeness(runnerUp))})` : '-',
    ]);
  }

  /** The count of rows and unknowns, and the cuts that made them unknown (per count of supports, where they differ). */
  foot(): string {
    const counts = this.matcher.labels.map((l) => l.supports);
    return (
      `${this.count} ${this.count === 1 ? 'query' : 'queries'}, ${this.unknown} unknown ` +
      `(${labelCuts(this.matcher, counts)})`
    );
  }

  private line(cells: string[]): string {
    return cells
      .map((cell, c) =>
        c === 2 ? cell.padStart(this.widths[c]!) : c < 2 ? cell.padEnd(this.widths[c]!) : cell,
      )
      .join('  ')
      .trimEnd();
  }
}
