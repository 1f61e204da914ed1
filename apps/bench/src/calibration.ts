/**
 * A fixed single-threaded workload in plain JavaScript, independent of tfjs and of twinnet's code: a 64×64
 * float64 matrix product. Timed next to our throughput, it tracks how much CPU this process is getting, so
 * ours ÷ calibration stays comparable between runs on a shared machine where absolute figures drift.
 */
export const CALIBRATION_WORKLOAD = 'js-matmul-64 (products per second, best of rounds)';

const N = 64;

export function calibrate(rounds = 5, roundMs = 200): number {
  const a = Float64Array.from({ length: N * N }, (_, i) => ((i * 7) % 13) / 13);
  const b = Float64Array.from({ length: N * N }, (_, i) => ((i * 5) % 11) / 11);
  const c = new Float64Array(N * N);
  let bestRate = 0;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    let products = 0;
    while (performance.now() - started < roundMs) {
      multiply(a, b, c);
      sink += c[products % (N * N)]!;
      products++;
    }
    bestRate = Math.max(bestRate, products / ((performance.now() - started) / 1000));
  }
  // Keeps the products observable so the JIT cannot drop them.
  if (Number.isNaN(sink)) throw new Error('calibration produced NaN');
  return bestRate;
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
