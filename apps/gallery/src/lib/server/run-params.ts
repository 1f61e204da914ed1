import { readIndex } from './data.ts';

/**
 * Stands in for the run pages when there are no runs: a static export must generate at least one page per
 * dynamic route, so this one renders the "no artifacts yet" message instead of a run.
 */
export const NO_RUN = '_';

/** generateStaticParams of the per-run routes: one page per published run. */
export async function runParams(): Promise<{ run: string }[]> {
  const { runs } = await readIndex();
  return runs.length > 0 ? runs.map((run) => ({ run })) : [{ run: NO_RUN }];
}
