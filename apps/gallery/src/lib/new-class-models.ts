// Which run the new-class demo matches with: any published run of the page's dataset, the transfer variant's
// first. Pure data (no core import), shared by the pages that list the choices and the demo that loads one.

/** What the new-class demo shows of a run it can match with. */
export interface NewClassModel {
  run: string;
  variant: string;
  /** Classes the run never trained on and kept for its test figures. */
  heldOutClasses: number[];
  /** Classes it also never trained on, used for its choices (transfer runs); none for the others. */
  validationClasses: number[];
  /** How the run compares a query with supports, e.g. "cosine similarity". */
  compares: string;
}

/**
 * Preference for the demo's default: the dataset's transfer runs (`<dataset>-metric-holdout`, then
 * `<dataset>-metric`, then other runs of the metric variant, hold-out runs first), then the contrastive hold-out
 * run, other hold-out runs, and runs on all classes. Lower is preferred.
 */
function preference(dataset: string, m: NewClassModel): number {
  const holdout = m.heldOutClasses.length > 0;
  if (m.run === `${dataset}-metric-holdout`) return 0;
  if (m.run === `${dataset}-metric`) return 1;
  if (m.variant === 'metric') return holdout ? 2 : 3;
  if (m.run === `${dataset}-contrastive-holdout`) return 4;
  return holdout ? 5 : 6;
}

/** The runs of one dataset in the order the demo offers them; the first is its default. */
export function rankNewClassModels(dataset: string, models: readonly NewClassModel[]): NewClassModel[] {
  return [...models].sort(
    (a, b) => preference(dataset, a) - preference(dataset, b) || a.run.localeCompare(b.run),
  );
}

/** Classes a run never trained on, as the demo offers them: the held-out ones, then the validation ones. */
export const unseenClasses = (m: NewClassModel): number[] => [
  ...m.heldOutClasses,
  ...m.validationClasses.filter((c) => !m.heldOutClasses.includes(c)),
];

/**
 * The model the demo starts with: `requested` (the page's ?model=) when it is one of `models`, else the
 * first of the ranked list.
 */
export function initialModel(
  models: readonly NewClassModel[],
  requested?: string | null,
): string | undefined {
  return models.find((m) => m.run === requested)?.run ?? models[0]?.run;
}
