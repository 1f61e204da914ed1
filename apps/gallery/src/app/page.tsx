import { datasetSpec, type Metrics } from '@twinnet/core';
import Link from 'next/link';
import { BenchChart } from '../components/BenchChart.tsx';
import { RunsTable } from '../components/RunsTable.tsx';
import { readBench, readIndex, readMetrics } from '../lib/server/data.ts';
import { newClassModels } from '../lib/server/new-class-models.ts';
import { newClassDemoUrl, transferPageUrl } from '../lib/urls.ts';

export default async function Home() {
  const index = await readIndex();
  const runs = await Promise.all(index.runs.map(readMetrics));
  const bench = await readBench();
  return (
    <>
      <h1>Trained runs</h1>
      {runs.length > 0 && <Shortcuts runs={runs} />}
      {runs.length === 0 ? <NoRuns source={index.source} /> : <RunsTable runs={runs} />}
      {index.skipped.length > 0 && (
        <div className="notice" data-testid="skipped-runs">
          <p>Not shown, because their artifacts did not validate:</p>
          <ul>
            {index.skipped.map((s) => (
              <li key={s.run}>
                <code>{s.run}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {bench && bench.points.length > 0 && (
        <section>
          <h2>Bench history</h2>
          <BenchChart points={bench.points} />
          {bench.skipped.length > 0 && (
            <p className="muted small">
              {bench.skipped.length} line(s) of bench/history.jsonl could not be read and are left out.
            </p>
          )}
        </section>
      )}
    </>
  );
}

/** The new-class demo of each dataset (its default model: the transfer run) and the transfer table. */
function Shortcuts({ runs }: { runs: Metrics[] }) {
  const datasets = [...new Set(runs.map((m) => m.dataset))].sort();
  const hasHoldout = runs.some((m) => m.recipe.heldOutClasses.length > 0);
  return (
    <ul className="shortcuts" data-testid="shortcuts">
      <li>
        Match new classes:{' '}
        {datasets.map((dataset, i) => {
          const model = newClassModels(dataset, runs)[0]!;
          return (
            <span key={dataset}>
              {i > 0 && ' · '}
              <Link
                href={newClassDemoUrl(model.run)}
                data-testid="new-class-link"
                data-run={model.run}
                data-dataset={dataset}
              >
                {datasetSpec(dataset).title}
              </Link>{' '}
              <span className="muted small">({model.run})</span>
            </span>
          );
        })}
      </li>
      {hasHoldout && (
        <li>
          <Link href={transferPageUrl} data-testid="transfer-link">
            Transfer to unseen classes
          </Link>
          <span className="muted small">
            {' '}
            : each hold-out run's N-way K-shot figures beside raw pixels, and its open-set figures
          </span>
        </li>
      )}
    </ul>
  );
}

function NoRuns({ source }: { source: string }) {
  return (
    <div className="notice" data-testid="no-runs">
      <p>
        No trained runs yet: nothing valid was found in <code>{source}</code>.
      </p>
      <p>
        Train the default models with <code>pnpm turbo train</code> at the repository root, then rebuild the
        gallery (<code>pnpm --filter gallery build</code>) or restart <code>pnpm gallery</code>.
      </p>
    </div>
  );
}
