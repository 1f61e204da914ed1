// Throughput of both towers on the chosen backend, after warm-up: images per second through the tower, forward and
// backward with the optimizer step (MODE train), or forward in inference mode (MODE embed).
// Usage: pnpm --filter @twinnet/core throughput [-- BATCH BACKEND MODE]
import { initBackend } from '../src/node.ts';
import { fixtureFor, parseMode, TOWERS } from './step-fixture.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const batch = Number(args[0] ?? 128);
const backend = await initBackend((args[1] ?? 'auto') as 'auto');
const mode = parseMode(args[2]);
for (const [tower, head] of TOWERS) {
  const fixture = fixtureFor(mode, tower, head, batch);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < 5; i++) fixture.step();
    times.push((performance.now() - started) / 5);
  }
  const median = times.sort((a, b) => a - b)[2]!;
  console.log(
    `${tower} tower, ${mode}, batch ${batch} images: ${median.toFixed(1)} ms/step, ${((1000 * batch) / median).toFixed(0)} images/s (${backend.name})`,
  );
  fixture.dispose();
}
