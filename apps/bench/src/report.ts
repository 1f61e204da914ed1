import type { BenchResult, Compared, TtaRun } from '@twinnet/core';
import type { Check } from './compare.ts';
import { atTrainerBatch } from './records.ts';

/** One line of the side-by-side table: ours, the peer at each measured thread count, ours/peer. */
export interface Row {
  label: string;
  ours: string;
  peer: string[];
  ratio: string;
}

export interface Section {
  title: string;
  rows: Row[];
}

const DASH = '—';

const rate = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const ms = (v: number) => v.toFixed(2);
const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const ratioText = (v: number | null) => (v === null ? DASH : `${v.toFixed(2)}×`);
/** The ratio and, for throughput, the range its rounds spanned: PyTorch's own rate moves between processes. */
const ratioWithRange = (figure: Compared) =>
  figure.ratioRange && figure.ratio !== null
    ? `${ratioText(figure.ratio)} (${figure.ratioRange[0].toFixed(2)}–${figure.ratioRange[1].toFixed(2)})`
    : ratioText(figure.ratio);

function row(label: string, figure: Compared, threads: number[], format: (v: number) => string): Row {
  return {
    label,
    ours: figure.ours === null ? DASH : format(figure.ours),
    peer: threads.map((t) => {
      const p = figure.peer.find((f) => f.threads === t);
      return p ? format(p.value) : DASH;
    }),
    ratio: ratioWithRange(figure),
  };
}

/** E.g. "vgg tower, cosine classifier (norm-softmax, scale 16)". */
export function classifierName(c: BenchResult['classifierThroughput'][number]): string {
  return `${c.tower} tower, cosine classifier (${c.loss}, scale ${+(1 / c.temperature).toFixed(2)})`;
}

function ttaCell(run: TtaRun | undefined, cap: number): string {
  if (!run) return DASH;
  if (run.reached && run.seconds !== null)
    return `${run.seconds.toFixed(1)} s (${run.pairs?.toLocaleString('en-US')} pairs)`;
  const best = run.bestAccuracy === null ? '' : `, best ${percent(run.bestAccuracy)}`;
  return `not reached in ${Math.min(run.wallSeconds, cap).toFixed(0)} s${best}`;
}

export function sections(result: BenchResult): Section[] {
  const threads = result.peer.threads;
  const out: Section[] = [];
  const train: Row[] = [];
  const infer: Row[] = [];
  for (const t of result.throughput) {
    const name = `${t.variant} (${t.tower} tower, ${t.head}), batch ${t.batchSize}`;
    train.push(row(`${name}: pairs/s`, t.trainPairsPerSecond, threads, rate));
    train.push(row(`${name}: images/s through the tower`, t.trainImagesPerSecond, threads, rate));
    train.push(row(`${name}: pairs per CPU second`, t.trainPairsPerCpuSecond, threads, rate));
  }
  for (const c of result.classifierThroughput) {
    const name = `${classifierName(c)}, batch ${c.batchSize} images (${c.classes.length} classes × ${c.perClass})`;
    train.push(row(`${name}: images/s`, c.trainImagesPerSecond, threads, rate));
    train.push(row(`${name}: images per CPU second`, c.trainImagesPerCpuSecond, threads, rate));
  }
  // Inference does not depend on the training batch: one set of rows per variant.
  for (const t of atTrainerBatch(result.throughput)) {
    infer.push(
      row(
        `${t.variant}: embed images/s (batch ${result.protocol.embedBatchSize})`,
        t.embedImagesPerSecond,
        threads,
        rate,
      ),
    );
    infer.push(row(`${t.variant}: embed images per CPU second`, t.embedImagesPerCpuSecond, threads, rate));
    infer.push(row(`${t.variant}: single-pair latency, median ms`, t.latencyMedianMs, threads, ms));
    infer.push(row(`${t.variant}: single-pair latency, p95 ms`, t.latencyP95Ms, threads, ms));
  }
  for (const c of result.classifierThroughput) {
    const name = `${c.tower} tower (classifier-trained)`;
    const batch = result.protocol.embedBatchSize;
    infer.push(row(`${name}: embed images/s (batch ${batch})`, c.embedImagesPerSecond, threads, rate));
    infer.push(row(`${name}: embed images per CPU second`, c.embedImagesPerCpuSecond, threads, rate));
  }
  out.push({
    title:
      'Training throughput: forward, backward and update (batch in pairs, the classifier’s in images; best of rounds)',
    rows: train,
  });
  out.push({ title: `Inference (latency over ${result.protocol.latencyCalls} calls)`, rows: infer });

  for (const s of result.shortRun) {
    out.push({
      title: `Short run, ${s.variant}: ${s.pairs.toLocaleString('en-US')} identical pairs, batch ${s.batchSize}, ${s.optimizer} ${s.learningRate}; ${result.protocol.shortRun.testPairs} test pairs`,
      rows: [
        row('test pair accuracy', s.accuracy, threads, percent),
        row('test loss', s.loss, threads, fixed(4)),
        row('ROC AUC', s.auc, threads, fixed(4)),
        row('10-way 1-shot accuracy', s.oneShotAccuracy, threads, percent),
        row('training seconds', s.trainSeconds, threads, fixed(1)),
      ],
    });
  }

  const tta = result.timeToAccuracy;
  const peerTta = (t: number) => tta.peer.find((p) => p.threads === t);
  const bound = tta.ratioKind === 'at-least' ? '≥ ' : tta.ratioKind === 'at-most' ? '≤ ' : '';
  const recipe = (r: TtaRun['recipe']) => `batch ${r.batchSize}, ${r.optimizer} ${r.learningRate}`;
  const peerRecipe = tta.peer[0]?.recipe;
  out.push({
    title:
      `Time to ${percent(tta.target)} validation pair accuracy (training seconds, cap ${tta.capSeconds} s; twinnet: ` +
      `mnist-contrastive preset, ${recipe(tta.ours.recipe)}; PyTorch: Keras recipe${peerRecipe ? `, ${recipe(peerRecipe)}` : ''})`,
    rows: [
      {
        label: `seconds to ${percent(tta.target)}`,
        ours: ttaCell(tta.ours, tta.capSeconds),
        peer: threads.map((t) => ttaCell(peerTta(t), tta.capSeconds)),
        ratio: tta.ratio === null ? DASH : `${bound}${tta.ratio.toFixed(2)}×`,
      },
      ...tta.milestones.map((m) => ({
        label: `seconds to ${percent(m.accuracy)}`,
        ours: m.ours === null ? DASH : m.ours.toFixed(1),
        peer: threads.map((t) => {
          const s = peerTta(t)?.curve.find((p) => p.accuracy >= m.accuracy)?.seconds;
          return s === undefined ? DASH : s.toFixed(1);
        }),
        ratio: ratioText(m.ratio),
      })),
    ],
  });
  out.push({
    title: 'Memory',
    rows: [
      row('peak resident memory of the training processes, MiB', result.memory.peakRssMiB, threads, fixed(0)),
    ],
  });
  return out;
}

function header(result: BenchResult): string[] {
  const t = result.peer.ratioThreads;
  return [
    'figure',
    `twinnet (${result.backend.name}, ${result.backend.threads} thread${result.backend.threads === 1 ? '' : 's'})`,
    ...result.peer.threads.map((n) => `PyTorch ${n} thread${n === 1 ? '' : 's'}`),
    ...(result.peer.threads.length > 0
      ? [`twinnet/PyTorch (${t} thread${t === 1 ? '' : 's'}; lowest–highest round)`]
      : []),
  ];
}

/** A row's cells in header order; without the peer there is no ratio column. */
function rowCells(result: BenchResult, r: Row): string[] {
  return [r.label, r.ours, ...r.peer, ...(result.peer.threads.length > 0 ? [r.ratio] : [])];
}

function qualityLines(result: BenchResult): string[] {
  return result.quality.map((q) => {
    const source =
      q.source === 'artifacts' && q.artifact
        ? `trainer artifacts (commit ${q.artifact.gitCommit}, ${q.artifact.ageHours.toFixed(1)} h old, ${q.artifact.epochs} epochs)`
        : 'the short run above (no artifacts)';
    const oneShot = q.oneShot ? `, 10-way 1-shot ${percent(q.oneShot.accuracy)}` : '';
    return `${q.variant}: test accuracy ${percent(q.accuracy)}, loss ${q.loss.toFixed(4)}, AUC ${q.auc.toFixed(4)}${oneShot} (${q.testPairs} pairs; from ${source})`;
  });
}

function context(result: BenchResult): string[] {
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  const versions = Object.entries(result.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `commit ${result.gitCommit}${result.gitDirty ? ' (with uncommitted changes)' : ''}, ${result.createdAt}, ${result.wallSeconds.toFixed(0)} s${result.protocol.quick ? ', QUICK protocol' : ''}`,
    `backend ${result.backend.description}; ${result.machine.cpuModel}, ${result.machine.logicalCores} logical cores; load average ${load(result.machine.loadAverage.start)} at start, ${load(result.machine.loadAverage.end)} at end`,
    `${versions}; calibration (${result.calibration.workload}): ${Math.round(result.calibration.unitsPerSecond)}/s, ${Math.round(result.calibration.unitsPerCpuSecond)}/CPU s`,
    result.peer.available
      ? `PyTorch peer (what a user would pick instead; never the regression reference): ${result.peer.script}, measured at ${result.peer.threads.join(' and ')} thread(s); ratios against ${result.peer.ratioThreads}, the thread count of our backend`
      : `PyTorch peer not measured: ${result.peer.reason}`,
  ];
}

export function terminalReport(result: BenchResult): string {
  const head = header(result);
  const all = sections(result);
  const cells = (r: Row) => rowCells(result, r);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...all.flatMap((s) => s.rows.map((r) => (cells(r)[i] ?? '').length))),
  );
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const lines = [...context(result), '', line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const s of all) {
    lines.push(s.title);
    for (const r of s.rows) lines.push(line(cells(r)));
  }
  lines.push('', 'twinnet quality', ...qualityLines(result).map((l) => `  ${l}`));
  if (result.notes.length > 0) lines.push('', 'notes', ...result.notes.map((n) => `  - ${n}`));
  return lines.join('\n');
}

export function markdownReport(result: BenchResult): string {
  const head = header(result);
  const cell = (v: string) => v.replaceAll('|', '\\|');
  const tableRow = (values: string[]) => `| ${values.map(cell).join(' | ')} |`;
  const lines = [`### twinnet bench ${result.createdAt.slice(0, 10)} (${result.gitCommit})`, ''];
  lines.push(...context(result).map((l) => `- ${l}`), '');
  lines.push(tableRow(head), `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const s of sections(result)) {
    lines.push(tableRow([`**${s.title}**`, ...head.slice(1).map(() => '')]));
    for (const r of s.rows) lines.push(tableRow(rowCells(result, r)));
  }
  lines.push('', '**twinnet quality**', '', ...qualityLines(result).map((l) => `- ${l}`));
  if (result.notes.length > 0) lines.push('', '**Notes**', '', ...result.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

export function comparisonReport(checks: readonly Check[], basePath: string): string {
  const mark = { pass: 'ok  ', fail: 'FAIL', skip: 'skip', info: 'info' } as const;
  const failed = checks.filter((c) => c.status === 'fail').length;
  return [
    `compared with ${basePath} (accuracy is checked; throughput is shown for information, ` +
      'as a stored baseline cannot separate a slowdown from the machine’s drift: --compare REF decides speed):',
    ...checks.map((c) => `  ${mark[c.status]} ${c.name}: ${c.detail}`),
    failed > 0 ? `${failed} regression${failed === 1 ? '' : 's'}` : 'no regressions',
  ].join('\n');
}
