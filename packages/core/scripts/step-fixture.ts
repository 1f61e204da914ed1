// A training step (or an embedding batch) on fixed synthetic images, shared by the throughput and kernel-profile
// scripts.
import * as tf from '@tensorflow/tfjs';
import {
  buildSiamese,
  buildTower,
  createOptimizer,
  IMAGE_SIZE,
  PIXELS,
  pairLoss,
  trainStep,
} from '../src/index.ts';

export type Mode = 'train' | 'embed';

/** The MODE argument of the scripts: `train` (the default) or `embed`. */
export function parseMode(text: string | undefined): Mode {
  if (text === undefined || text === 'train' || text === 'embed') return text ?? 'train';
  throw new Error(`MODE must be train or embed, got ${text}`);
}

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
  const loss = pairLoss(head === 'distance' ? 'contrastive' : 'bce');
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

/** `batch` images through the tower in inference mode per step, read back as embed() does; warmed up. */
export function embedFixture(tower: 'small' | 'deep', batch: number) {
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new Error(`batch must be a positive integer, got ${batch}`);
  const model = buildTower(tower);
  const images = Float32Array.from({ length: batch * PIXELS }, (_, i) => (i % 251) / 251);
  const step = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(images, [batch, IMAGE_SIZE, IMAGE_SIZE, 1]);
      (model.apply(x, { training: false }) as tf.Tensor).dataSync();
    });
  for (let i = 0; i < 3; i++) step();
  return { step, dispose: () => model.dispose() };
}

/** The fixture for a mode: a training step of `batch` images or an embedding batch of `batch` images. */
export function fixtureFor(mode: Mode, tower: 'small' | 'deep', head: 'distance' | 'mlp', batch: number) {
  return mode === 'train' ? stepFixture(tower, head, batch) : embedFixture(tower, batch);
}
