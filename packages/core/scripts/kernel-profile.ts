// Where a training step's (or an embedding batch's) time goes: kernel by kernel, from tf.profile, for each tower
// on the chosen backend. The vgg tower trains as the bench's classifier workload, under the cosine classifier on
// 224 images (7 classes × 32) whatever BATCH says.
// Usage: pnpm --filter @twinnet/core kernel-profile [-- BATCH BACKEND STEPS MODE TOWERS]   (TOWERS: e.g. vgg)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/node.ts';
import { fixtureFor, parseMode, parseTowers } from './step-fixture.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const batch = Number(args[0] ?? 128);
const backend = await initBackend((args[1] ?? 'auto') as 'auto');
const steps = Number(args[2] ?? 10);
if (!(Number.isInteger(steps) && steps >= 1))
  throw new Error(`STEPS must be a positive integer, got ${args[2]}`);
const mode = parseMode(args[3]);
const towers = parseTowers(args[4]);

for (const [tower, head] of towers) {
  const fixture = fixtureFor(mode, tower, head, batch);
  const started = performance.now();
  const profile = await tf.profile(() => {
    for (let i = 0; i < steps; i++) fixture.step();
  });
  const wallMs = (performance.now() - started) / steps;

  // Sum each kernel's time over the steps; the rest of the wall time is JavaScript between kernels.
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    // `…__op` entries are op scopes (custom gradients) around kernels listed on their own: skip, not count twice.
    if (k.name.endsWith('__op')) continue;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) / steps;
    entry.calls += 1 / steps;
    byKernel.set(k.name, entry);
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(
    `\n${tower} tower${tower === 'vgg' && mode === 'train' ? ' (cosine classifier)' : ''}, ${mode}, batch ${fixture.batch} images, ${backend.name}: ${wallMs.toFixed(1)} ms/step under the profiler, ` +
      `${kernelMs.toFixed(1)} ms in kernels (${((100 * kernelMs) / wallMs).toFixed(0)}%)`,
  );
  console.log('kernel'.padEnd(26), 'ms/step'.padStart(8), 'share'.padStart(7), 'calls'.padStart(6));
  for (const [name, e] of rows) {
    if (e.ms < 0.05 * (kernelMs / 100)) continue; // under 0.05% of kernel time
    console.log(
      name.padEnd(26),
      e.ms.toFixed(2).padStart(8),
      `${((100 * e.ms) / wallMs).toFixed(1)}%`.padStart(7),
      e.calls.toFixed(0).padStart(6),
    );
  }
  fixture.dispose();
}
