// A training step (or an embedding batch) on fixed synthetic images, shared by the throughput and kernel-profile
// scripts.
import * as tf from '@tensorflow/tfjs';
import {
  buildSiamese,
  buildTower,
  createOptimizer,
  createRng,
  IMAGE_SIZE,
  LOSS_DEFAULTS,
  LOSSES,
  PIXELS,
  pairLoss,
  trainStep,
  trainStepBatch,
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
  ['vgg', 'cosine'],
] as const;
export type Tower = (typeof TOWERS)[number][0];
export type Head = (typeof TOWERS)[number][1];

/**
 * The TOWERS argument of the scripts: a comma-separated list of towers (default all), e.g. `vgg` or `small,deep`.
 */
export function parseTowers(text: string | undefined): (typeof TOWERS)[number][] {
  if (text === undefined) return [...TOWERS];
  const names = text.split(',');
  const unknown = names.filter((n) => !TOWERS.some(([t]) => t === n));
  if (unknown.length > 0)
    throw new Error(`TOWERS must name ${TOWERS.map(([t]) => t).join(', ')}; got ${unknown.join(', ')}`);
  return TOWERS.filter(([t]) => names.includes(t));
}

/**
 * The vgg tower trains as the bench's classifier workload does, whatever BATCH says: the cosine classifier
 * (norm-softmax over a learnt proxy per class, temperature 1/16, no projection) on 7 classes × 32 images.
 */
export const CLASSIFIER_CLASSES = [0, 1, 2, 3, 4, 5, 6];
export const CLASSIFIER_BATCH = CLASSIFIER_CLASSES.length * 32;

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

/**
 * A step of the vgg tower under the cosine classifier, as the bench's classifier workload and the trainer take
 * it (trainStepBatch: the tower through applyTower's fused batch norm + ReLU kernels, the loss, Adam 2e-3 over
 * the tower's weights and the class proxies), on CLASSIFIER_BATCH images in class blocks; warmed up.
 */
export function classifierFixture() {
  const model = buildSiamese({ tower: 'vgg', head: 'cosine' });
  const optimizer = createOptimizer('adam', 2e-3);
  const spec = LOSSES.get('norm-softmax');
  if (spec.kind !== 'batch') throw new Error('norm-softmax is not a batch loss');
  const owned = spec.create(
    { ...LOSS_DEFAULTS, margin: 1, temperature: 1 / 16 },
    { classes: CLASSIFIER_CLASSES, dim: 128, rng: createRng(1) },
  );
  const batch = CLASSIFIER_BATCH;
  const images = Float32Array.from({ length: batch * PIXELS }, (_, i) => ((i * 7919) % 251) / 251);
  const perClass = batch / CLASSIFIER_CLASSES.length;
  const labels = Int32Array.from({ length: batch }, (_, i) => CLASSIFIER_CLASSES[Math.floor(i / perClass)]!);
  const step = () => trainStepBatch(model, optimizer, owned.loss, images, labels, owned.variables);
  for (let i = 0; i < 3; i++) step();
  return {
    step,
    batch,
    dispose: () => {
      model.pair.dispose();
      optimizer.dispose();
      for (const v of owned.variables) v.dispose();
    },
  };
}

/** `batch` images through the tower in inference mode per step, read back as embed() does; warmed up. */
export function embedFixture(tower: Tower, batch: number) {
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
  return { step, batch, dispose: () => model.dispose() };
}

/**
 * The fixture for a mode: a training step of `batch` images (the vgg tower: the classifier's CLASSIFIER_BATCH) or
 * an embedding batch of `batch` images. `batch` on the result is the images a step takes.
 */
export function fixtureFor(mode: Mode, tower: Tower, head: Head, batch: number) {
  if (mode === 'embed') return embedFixture(tower, batch);
  if (tower === 'vgg') return classifierFixture();
  return { ...stepFixture(tower, head as 'distance' | 'mlp', batch), batch };
}
