import { datasetSpec } from '@twinnet/core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Demos } from '../../../../components/Demos.tsx';
import { NoRunsNotice } from '../../../../components/NoRunsNotice.tsx';
import { readIndex, readMetrics } from '../../../../lib/server/data.ts';
import { newClassModels } from '../../../../lib/server/new-class-models.ts';
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
  const index = await readIndex();
  const runs = await Promise.all(index.runs.map(readMetrics));
  const metrics = runs.find((m) => m.run === run) ?? (await readMetrics(run));
  const { title } = datasetSpec(metrics.dataset);
  return (
    <>
      <h1>One-shot demo</h1>
      <p>
        <Link href={runPageUrl(run)}>{run}</Link> · {metrics.dataset}, {metrics.recipe.variant}. The models
        run in your browser; drawings are framed as {title} images were before they are embedded.
      </p>
      <Demos
        run={run}
        classNames={metrics.classNames}
        title={title}
        newClassModels={newClassModels(metrics.dataset, runs)}
      />
    </>
  );
}
