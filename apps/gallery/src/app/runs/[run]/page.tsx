import type { Metadata } from 'next';
import Link from 'next/link';
import { CutCurves } from '../../../components/CutCurves.tsx';
import { Histogram } from '../../../components/charts/Histogram.tsx';
import { LineChart } from '../../../components/charts/LineChart.tsx';
import { RocChart } from '../../../components/charts/RocChart.tsx';
import { EpochTable } from '../../../components/EpochTable.tsx';
import { NoRunsNotice } from '../../../components/NoRunsNotice.tsx';
import { PairGrid } from '../../../components/PairGrid.tsx';
import { RunSummary } from '../../../components/RunSummary.tsx';
import { UmapScatter } from '../../../components/UmapScatter.tsx';
import { scoreName } from '../../../lib/format.ts';
import { readHistory, readMetrics } from '../../../lib/server/data.ts';
import { NO_RUN, runParams } from '../../../lib/server/run-params.ts';
import { classesLabel, heldOutLabel, runEmbedding } from '../../../lib/server/training.ts';
import { demoPageUrl } from '../../../lib/urls.ts';

export const dynamicParams = false;
export const generateStaticParams = runParams;

type Props = { params: Promise<{ run: string }> };

/** The axes of both accuracy charts: epochs across, percentages up. */
const ACCURACY_PER_EPOCH = {
  xLabel: 'epoch',
  yLabel: 'accuracy',
  integerX: true,
  yFormat: (v: number) => `${Math.round(v * 100)}%`,
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { run } = await params;
  return { title: run === NO_RUN ? 'No runs' : run };
}

export default async function RunPage({ params }: Props) {
  const { run } = await params;
  if (run === NO_RUN) return <NoRunsNotice />;
  const [metrics, history] = await Promise.all([readMetrics(run), readHistory(run)]);
  const epochs = history.epochs;
  const { metric } = runEmbedding(metrics);
  const name = scoreName(metric);
  // Transfer runs: N-way 1-shot on the validation classes after each epoch (what the run selected on); a refit
  // run's selection fit measured them before the final model trained on all seen classes.
  const { selection } = metrics;
  const transfer = (selection?.epochs ?? epochs).flatMap((e) =>
    e.valTransfer ? [[e.epoch, e.valTransfer] as const] : [],
  );
  const validation = classesLabel(
    selection?.validationClasses ?? metrics.recipe.validationClasses ?? [],
    metrics.classNames,
  );
  return (
    <>
      <h1>{run}</h1>
      <RunSummary metrics={metrics} />
      <p>
        <Link href={demoPageUrl(run)} className="button">
          Try the one-shot demo →
        </Link>
      </p>
      <section>
        <h2>Test embeddings</h2>
        <UmapScatter
          run={run}
          classNames={metrics.classNames}
          heldOutClasses={metrics.recipe.heldOutClasses}
          validationClasses={metrics.recipe.validationClasses}
          metric={metric === 'cosine' ? 'cosine' : 'euclidean'}
        />
      </section>
      <section>
        <h2>Test pairs</h2>
        <PairGrid run={run} classNames={metrics.classNames} scoreName={name} />
      </section>
      <section>
        <h2>Training</h2>
        <div className="charts">
          <LineChart
            title="Loss per epoch"
            xLabel="epoch"
            yLabel="loss"
            integerX
            series={[
              { name: 'train', color: '#264653', points: epochs.map((e) => [e.epoch, e.trainLoss]) },
              {
                name: 'validation',
                color: '#e76f51',
                dashed: true,
                points: epochs.map((e) => [e.epoch, e.valLoss]),
              },
            ]}
          />
          <LineChart
            title="Pair accuracy per epoch"
            {...ACCURACY_PER_EPOCH}
            series={[
              { name: 'train', color: '#264653', points: epochs.map((e) => [e.epoch, e.trainAccuracy]) },
              {
                name: 'validation',
                color: '#e76f51',
                dashed: true,
                points: epochs.map((e) => [e.epoch, e.valAccuracy]),
              },
            ]}
          />
          {transfer.length > 0 && (
            <LineChart
              title="Transfer to validation classes per epoch"
              {...ACCURACY_PER_EPOCH}
              series={[
                {
                  name: `${transfer[0]![1].ways}-way ${transfer[0]![1].shots}-shot on ${validation} (±95%)`,
                  color: '#2a9d8f',
                  points: transfer.map(([epoch, t]) => [epoch, t.accuracy]),
                  band: transfer.map(([epoch, t]) => [epoch, t.accuracy - t.ci95, t.accuracy + t.ci95]),
                },
              ]}
            />
          )}
        </div>
        <p className="muted small">
          Train accuracy is measured during the epoch at a fixed threshold; validation accuracy at the
          threshold chosen on validation pairs after it.
          {transfer.length > 0 &&
            ` Transfer: nearest-prototype episodes on training-split images of the validation classes (${validation}), which the run chose its open-set cut on; the held-out classes are never looked at during training.`}
          {selection &&
            ` Those figures are the selection fit's, trained without ${validation}; the final model (the other charts, the files) then trained on all seen classes for ${metrics.training.epochs} epochs.`}
        </p>
        <EpochTable epochs={epochs} />
        {selection && (
          <>
            <h3>Selection fit, without {validation}</h3>
            <EpochTable epochs={selection.epochs} />
          </>
        )}
      </section>
      <section>
        <h2>Scores on test pairs</h2>
        <div className="charts">
          <Histogram
            title={`${name[0]!.toUpperCase()}${name.slice(1)} of same and different pairs`}
            edges={metrics.histogram.edges}
            same={metrics.histogram.same}
            different={metrics.histogram.different}
            threshold={metrics.test.threshold}
            scoreName={name}
          />
          <RocChart
            roc={metrics.roc}
            auc={metrics.test.auc}
            threshold={metrics.test.threshold}
            lowerIsSame={metrics.polarity === 'lower-is-same'}
          />
        </div>
      </section>
      {metrics.openSet && (
        <section data-testid="open-set-section">
          <h2>Open set: the cut per support count</h2>
          <CutCurves
            openSet={metrics.openSet}
            validation={validation}
            heldOut={metrics.recipe.heldOutClasses.length > 0 ? heldOutLabel(metrics) : undefined}
            refit={selection !== undefined}
          />
        </section>
      )}
    </>
  );
}
