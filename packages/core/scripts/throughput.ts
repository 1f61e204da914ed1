// Training throughput of both towers on the chosen backend: images per second through the tower, forward and
// backward, with the optimizer step, after warm-up. Usage: pnpm --filter @twinnet/core throughput [-- BATCH BACKEND]
import { buildSiamese, createOptimizer, initBackend, lossFor, PIXELS, trainStep } from '../src/index.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const batch = Number(args[0] ?? 128);
const backend = await initBackend((args[1] ?? 'auto') as 'auto');
for (const [tower, head] of [
  ['small', 'distance'],
  ['deep', 'mlp'],
] as const) {
  const model = buildSiamese({ tower, head });
  const optimizer = createOptimizer('adam', 1e-3);
  const loss = lossFor(head);
  // `batch` images through the tower per step: batch / 2 pairs.
  const pairs = batch / 2;
  const images = Float32Array.from({ length: batch * PIXELS }, (_, i) => (i % 251) / 251);
  const same = Uint8Array.from({ length: pairs }, (_, i) => i % 2);
  for (let i = 0; i < 3; i++) trainStep(model, optimizer, loss, images, same, 0.5);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < 5; i++) trainStep(model, optimizer, loss, images, same, 0.5);
    times.push((performance.now() - started) / 5);
  }
  const median = times.sort((a, b) => a - b)[2]!;
  console.log(
    `${tower} tower, batch ${batch} images: ${median.toFixed(1)} ms/step, ${((1000 * batch) / median).toFixed(0)} images/s (${backend.name})`,
  );
  model.pair.dispose();
  optimizer.dispose();
}
