// A training step on fixed synthetic images, shared by the throughput and kernel-profile scripts.
import { buildSiamese, createOptimizer, lossFor, PIXELS, trainStep } from '../src/index.ts';

export const TOWERS = [
  ['small', 'distance'],
  ['deep', 'mlp'],
] as const;

/** `batch` images through the tower per step (batch / 2 pairs), warmed up; dispose() frees model and optimizer. */
export function stepFixture(tower: 'small' | 'deep', head: 'distance' | 'mlp', batch: number) {
  if (!(Number.isInteger(batch) && batch >= 2 && batch % 2 === 0)) {
    throw new Error(`batch must be an even integer >= 2, got ${batch}`);
  }
  const model = buildSiamese({ tower, head });
  const optimizer = createOptimizer('adam', 1e-3);
  const loss = lossFor(head);
  const images = Float32Array.from({ length: batch * PIXELS }, (_, i) => (i % 251) / 251);
  const same = Uint8Array.from({ length: batch / 2 }, (_, i) => i % 2);
  const step = () => trainStep(model, optimizer, loss, images, same, 0.5);
  for (let i = 0; i < 3; i++) step();
  return {
    step,
    dispose: () => {
      model.pair.dispose();
      optimizer.dispose();
    },
  };
}
