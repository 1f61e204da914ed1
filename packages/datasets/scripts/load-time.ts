/**
 * Prints the median wall time of loadDataset (read + inflate + parse + validate + SHA-256) over three
 * runs per dataset. A script rather than a test, because timings depend on the machine.
 */
import { DATASET_NAMES, loadDataset } from '../src/index.ts';

const RUNS = 3;

for (const name of DATASET_NAMES) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const dataset = await loadDataset(name);
    times.push(performance.now() - start);
    if (dataset.train.count + dataset.test.count !== 70000) throw new Error(`${name}: unexpected size`);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const all = times.map((t) => t.toFixed(0)).join(', ');
  console.log(`${name}: median ${median.toFixed(0)} ms over ${RUNS} loads (${all} ms)`);
}
