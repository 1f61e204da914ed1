// Property-based fuzzing of the files users hand twinnet: a spec per input kind, run in a worker thread within a
// time bound per case and a memory bound, from a fixed seed, with every outcome counted.
export { describeReport, type FuzzOptions, runFuzz } from './harness.ts';
export { applyEdit, damagedBytes, describeBytes } from './mutate-bytes.ts';
export { damagedJson } from './mutate-json.ts';
export type { FuzzReport, FuzzSpec } from './spec.ts';
