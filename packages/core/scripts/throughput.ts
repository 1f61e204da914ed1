// Throughput of each tower on the chosen backend, after warm-up: images per second through the tower, forward and
// backward with the optimizer step (MODE train), or forward in inference mode (MODE embed). The vgg tower trains
// as the bench's classifier workload, under the cosine classifier on 224 images (7 classes × 32) whatever BATCH
// says. Each figure is the median of 5 rounds; CPU time of this process beside wall time.
// Usage: pnpm --filter @twinnet/core throughput [-- BATCH BACKEND MODE TOWERS]   (TOWERS: e.g. vgg or small,deep)
import { initBackend } from '../src/node.ts';
import { fixtureFor, parseMode, parseTowers } from './step-fixture.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const batch = Number(args[0] ?? 128);
const backend = await initBackend((args[1] ?? 'auto') as 'auto');
const mode = parseMode(args[2]);
const towers = parseTowers(args[3]);
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
for (const [tower, head] of towers) {
  const fixture = fixtureFor(mode, tower, head, batch);
  // The vgg tower's step is about 40 times the small tower's: fewer steps a round.
  const steps = tower === 'vgg' ? 2 : 5;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    const startedCpu = cpuMs();
    for (let i = 0; i < steps; i++) fixture.step();
    wall.push((performance.now() - started) / steps);
    cpu.push((cpuMs() - startedCpu) / steps);
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[2]!;
  const [w, c] = [median(wall), median(cpu)];
  const name = `${tower} tower${tower === 'vgg' && mode === 'train' ? ' (cosine classifier)' : ''}`;
  console.log(
    `${name}, ${mode}, batch ${fixture.batch} images: ${w.toFixed(1)} ms/step, ${((1000 * fixture.batch) / w).toFixed(0)} images/s; ` +
      `${c.toFixed(1)} CPU ms/step, ${((1000 * fixture.batch) / c).toFixed(0)} images per CPU s (${backend.name})`,
  );
  fixture.dispose();
}
