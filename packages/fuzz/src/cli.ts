// The long fuzz run: `twinnet-fuzz SPEC... [--cases N] [--seed S] [--case-seconds T]`, one line of counts per
// input kind; exit 1 when any input crashed, hung or broke the worker.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeReport, runFuzz } from './harness.ts';

// pnpm passes on the `--` that separates a script's own flags.
const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  allowPositionals: true,
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '25' },
    'case-seconds': { type: 'string', default: '10' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const caseSeconds = Number(values['case-seconds']);
if (
  !Number.isInteger(cases) ||
  cases < 1 ||
  !Number.isInteger(seed) ||
  !(caseSeconds > 0) ||
  positionals.length === 0
) {
  console.error('usage: twinnet-fuzz SPEC.fuzz.ts... [--cases N] [--seed S] [--case-seconds T]');
  process.exit(2);
}
let failed = false;
for (const spec of positionals) {
  const report = await runFuzz(pathToFileURL(resolve(spec)), { seed, cases, caseSeconds });
  console.log(describeReport(report));
  failed ||= report.crashCount > 0 || report.hang !== undefined || report.workerError !== undefined;
}
process.exit(failed ? 1 : 0);
