import { type Seconds, timed } from './timing.ts';

/**
 * A fixed single-threaded workload in plain JavaScript, independent of tfjs and of twinnet's code: 64×64
 * float64 matrix products. A round of it runs right after each of our throughput rounds, in the same process,
 * so ours ÷ calibration tracks our code rather than the machine's mood; --compare falls back on it when a run
 * has no PyTorch figures.
 */
export const CALIBRATION_WORKLOAD = 'js-matmul-64: 64×64 float64 matrix products';

const N = 64;
const PER_ROUND = 100;

const a = Float64Array.from({ length: N * N }, (_, i) => ((i * 7) % 13) / 13);
const b = Float64Array.from({ length: N * N }, (_, i) => ((i * 5) % 11) / 11);
const c = new Float64Array(N * N);
let sink = 0;

/** One round: the seconds 100 products take. Timed right after each of our throughput rounds. */
export function calibrationRound(): Seconds {
  const seconds = timed(() => {
    for (let p = 0; p < PER_ROUND; p++) {
      multiply(a, b, c);
      sink += c[p]!;
    }
  });
  // Keeps the products observable so the JIT cannot drop them.
  if (Number.isNaN(sink)) throw new Error('calibration produced NaN');
  return seconds;
}

export const CALIBRATION_UNITS = PER_ROUND;

function multiply(a: Float64Array, b: Float64Array, c: Float64Array): void {
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += a[i * N + k]! * b[k * N + j]!;
      c[i * N + j] = sum;
    }
  }
}
