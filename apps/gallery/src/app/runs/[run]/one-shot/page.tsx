import { datasetSpec } from '@twinnet/core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Demos } from '../../../../components/Demos.tsx';
import { NoRunsNotice } from '../../../../components/NoRunsNotice.tsx';
import { readIndex, readMetrics } from '../../../../lib/server/data.ts';
import { NO_RUN, runParams } from '../../../../lib/server/run-params.ts';
import { runPageUrl } from '../../../../lib/urls.ts';

export const dynamicParams = false;
export const generateStaticParams = runParams;

type Props = { params: Promise<{ run: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { run } = await params;
  return { title: run === NO_RUN ? 'No runs' : `One-shot demo · ${run}` };
}

export default async function DemoPage({ params }: Props) {
  const { run } = await params;
  if (run === NO_RUN) return <NoRunsNotice />;
  const [metrics, index] = await Promise.all([readMetrics(run), readIndex()]);
  const others = await Promise.all(index.runs.filter((r) => r !== run).map(readMetrics));
  const { title } = datasetSpec(metrics.dataset);
  const holdoutRuns = others
    .filter((m) => m.dataset === metrics.dataset && m.recipe.heldOutClasses.length > 0)
    .map((m) => m.run);
  return (
    <>
      <h1>One-shot demo</h1>
      <p>
        <Link href={runPageUrl(run)}>{run}</Link> · {metrics.dataset}, {metrics.recipe.variant}. The model
        runs in your browser; drawings are framed as {title} images were before they are embedded.
      </p>
      <Demos
        run={run}
        classNames={metrics.classNames}
        heldOutClasses={metrics.recipe.heldOutClasses}
        title={title}
        holdoutRuns={holdoutRuns}
      />
    </>
  );
}
