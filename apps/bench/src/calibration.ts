import { type Seconds, timed } from './timing.ts';

/**
 * A fixed single-threaded workload in plain JavaScript, independent of tfjs and of twinnet's code: 64×64
 * float64 matrix products. Timed in the same process next to our throughput, it tracks how fast this machine
 * runs code at that moment, so ours ÷ calibration stays comparable between runs when the peer is missing.
 */
export const CALIBRATION_WORKLOAD = 'js-matmul-64: 64×64 float64 matrix products, best of rounds';

const N = 64;
const PER_ROUND = 100;

/** Best products per wall second and per CPU second over `rounds` rounds of 100 products. */
export function calibrate(rounds = 10): Seconds {
  const a = Float64Array.from({ length: N * N }, (_, i) => ((i * 7) % 13) / 13);
  const b = Float64Array.from({ length: N * N }, (_, i) => ((i * 5) % 11) / 11);
  const c = new Float64Array(N * N);
  const best = { wall: 0, cpu: 0 };
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const seconds = timed(() => {
      for (let p = 0; p < PER_ROUND; p++) {
        multiply(a, b, c);
        sink += c[p]!;
      }
    });
    best.wall = Math.max(best.wall, PER_ROUND / seconds.wall);
    best.cpu = Math.max(best.cpu, PER_ROUND / seconds.cpu);
  }
  // Keeps the products observable so the JIT cannot drop them.
  if (Number.isNaN(sink)) throw new Error('calibration produced NaN');
  return best;
}

function multiply(a: Float64Array, b: Float64Array, c: Float64Array): void {
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += a[i * N + k]! * b[k * N + j]!;
      c[i * N + j] = sum;
    }
  }
}
