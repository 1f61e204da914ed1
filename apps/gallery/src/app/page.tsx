import { BenchChart } from '../components/BenchChart.tsx';
import { RunsTable } from '../components/RunsTable.tsx';
import { readBench, readIndex, readMetrics } from '../lib/server/data.ts';

export default async function Home() {
  const index = await readIndex();
  const runs = await Promise.all(index.runs.map(readMetrics));
  const bench = await readBench();
  return (
    <>
      <h1>Trained runs</h1>
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
