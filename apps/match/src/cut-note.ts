import type { Matcher } from '@twinnet/core';

type CutSource = Pick<Matcher, 'cutOrigin' | 'cuts' | 'measure' | 'polarity' | 'threshold' | 'thresholdFor'>;

const format = (value: number) => value.toFixed(3);

/** '>=' for distances, '<=' for similarities and scores: the side of a cut on which a query is unknown. */
const polaritySign = ({ polarity }: Pick<Matcher, 'polarity'>): string =>
  polarity === 'lower-is-same' ? '>=' : '<=';

/** 'similarity <=', 'distance >=': the measure and the side of a cut on which a query is unknown. */
const unknownSide = (matcher: Pick<Matcher, 'measure' | 'polarity'>): string =>
  `${matcher.measure} ${polaritySign(matcher)}`;

/** 'best F1' or 'precision ≥ 0.95': what an open-set calibration chose its cuts for. */
function targetText(target: Matcher['cutOrigin']['target']): string {
  if (target === null) return 'its target not recorded';
  return target.kind === 'precision' ? `the most recall at precision ≥ ${target.min}` : 'the best F1';
}

/** The cuts by count of supports, each up to the next: '0.612 at 1, 0.650 at 2, 0.701 at 3–4, 0.743 at 5+'. */
function cutsText(cuts: Matcher['cuts']): string {
  return cuts
    .map((cut, i) => {
      const next = cuts[i + 1]?.shots;
      const span =
        next === undefined
          ? `${cut.shots}+`
          : next - 1 > cut.shots
            ? `${cut.shots}–${next - 1}`
            : `${cut.shots}`;
      return `${format(cut.threshold)} at ${span}`;
    })
    .join(', ');
}

/**
 * The cuts the labels at hand get, for a table's foot: 'similarity <= 0.612' when one serves them all, else
 * 'similarity <= 0.612 at 1 support, <= 0.743 at 5' (each count of supports present, fewest first).
 */
export function labelCuts(
  matcher: Pick<Matcher, 'measure' | 'polarity' | 'thresholdFor'>,
  counts: readonly number[],
): string {
  const side = unknownSide(matcher);
  const byCut = new Map<number, number[]>();
  for (const n of [...new Set(counts)].sort((a, b) => a - b)) {
    const cut = matcher.thresholdFor(n);
    byCut.set(cut, [...(byCut.get(cut) ?? []), n]);
  }
  const groups = [...byCut];
  if (groups.length === 1) return `${side} ${format(groups[0]![0])}`;
  const op = polaritySign(matcher);
  const at = (ns: number[]) =>
    `at ${ns.join(', ')} ${ns.length === 1 && ns[0] === 1 ? 'support' : 'supports'}`;
  return groups.map(([cut, ns], i) => `${i === 0 ? side : op} ${format(cut)} ${at(ns)}`).join(', ');
}

/**
 * One line that says where the matcher's `unknown` comes from: the run's open-set calibration (per support count,
 * on which classes it never trained on, for what), validation pairs of classes it trained on (not calibrated for
 * new classes), or --threshold. `run` is the folder, and whether it is the default one.
 */
export function cutNote(matcher: CutSource, run: { path: string; isDefault: boolean }): string {
  const { source, chosenOn, target } = matcher.cutOrigin;
  const where = `${run.isDefault ? 'the default run, ' : ''}${run.path}`;
  const side = unknownSide(matcher);
  if (source === 'given')
    return `match: unknown where ${side} ${format(matcher.threshold)} (--threshold), for every label`;
  if (source === 'validation-pairs') {
    return (
      `match: unknown where ${side} ${format(matcher.threshold)}, the cut ${where} chose on validation pairs of ` +
      'classes it trained on, not calibrated for new classes (a metric run has an open-set cut; or give --threshold)'
    );
  }
  const classes =
    chosenOn.length > 0 ? ` on classes the choosing model never trained on (${chosenOn.join(', ')})` : '';
  const cuts =
    matcher.cuts.length > 0
      ? `${side} the cut for the label's count of supports (${cutsText(matcher.cuts)})`
      : `one cut for every count: ${side} ${format(matcher.threshold)}`;
  return `match: unknown by the open-set calibration of ${where}, chosen${classes} for ${targetText(target)}; ${cuts}`;
}
