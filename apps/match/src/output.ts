import type { CutOrigin, Matcher, MatchResult, Measure, ThresholdSource } from '@twinnet/core';
import type { Io } from './cli.ts';
import type { InputFile, Problem } from './inputs.ts';
import { Table } from './table.ts';

export type Result = { query: string; path: string } & MatchResult;

export interface JsonOutput {
  run: string;
  /**
   * 'distance' (distance-head runs), 'similarity' (cosine-head runs) or 'score' (MLP-head runs): the field each
   * result carries.
   */
  measure: Measure;
  threshold: number;
  /** Where the threshold came from: the run's open-set calibration, validation pairs, or --threshold. */
  thresholdSource: ThresholdSource;
  /** The same, with the classes an open-set calibration was chosen on and what for. */
  cutOrigin: CutOrigin;
  /** Each label's count of supports and its cut (the run's cut for that count; `threshold` without cuts). */
  supports: { label: string; supports: number; cut: number }[];
  results: Result[];
  problems: Problem[];
  seconds: { supports: number; queries: number };
}

export interface ResultStream {
  rows(results: readonly Result[]): void;
  end(problems: readonly Problem[], seconds: JsonOutput['seconds']): void;
}

/** JsonOutput written as it goes: the head first, each result as it is matched, problems and times last. */
export class JsonStream implements ResultStream {
  private first = true;

  constructor(
    private readonly io: Io,
    matcher: Matcher,
  ) {
    const head = {
      run: matcher.model.run,
      measure: matcher.measure,
      threshold: matcher.threshold,
      thresholdSource: matcher.thresholdSource,
      cutOrigin: matcher.cutOrigin,
      supports: matcher.labels.map((l) => ({ ...l, cut: matcher.thresholdFor(l.supports) })),
    } satisfies Omit<JsonOutput, 'results' | 'problems' | 'seconds'>;
    io.stdout(`${JSON.stringify(head).slice(0, -1)},"results":[`);
  }

  rows(results: readonly Result[]): void {
    for (const result of results) {
      this.io.stdout(`${this.first ? '' : ','}${JSON.stringify(result)}`);
      this.first = false;
    }
  }

  end(problems: readonly Problem[], seconds: JsonOutput['seconds']): void {
    this.io.stdout(`],"problems":${JSON.stringify(problems)},"seconds":${JSON.stringify(seconds)}}`);
  }
}

/** The table on stdout, a batch of rows at a time; nothing when only saving supports. */
export class TableStream implements ResultStream {
  private readonly table: Table | undefined;

  constructor(
    private readonly io: Io,
    matcher: Matcher,
    files: readonly InputFile[],
  ) {
    if (files.length === 0) return;
    const names = files.map((f) => f.name);
    this.table = new Table(names, [...matcher.labels.map((l) => l.label)], matcher);
    io.stdout(this.table.head());
  }

  rows(results: readonly Result[]): void {
    for (const r of results) this.io.stdout(this.table!.row(r.query, r));
  }

  end(): void {
    if (this.table) this.io.stdout(this.table.foot());
  }
}
