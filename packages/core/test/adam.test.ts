import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { createOptimizer } from '../src/train/optimizers/index.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** `steps` Adam steps on a small quadratic, from a fixed start. */
function train(optimizer: tf.Optimizer, x: tf.Variable, steps: number): void {
  const target = tf.tensor1d([0.3, -1.2, 2.5]);
  for (let s = 0; s < steps; s++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(x, target))) as tf.Scalar);
  target.dispose();
}

describe('Adam checkpoints', () => {
  it('resume bit for bit: a restored optimizer takes the step the uninterrupted one takes, after any step count', async () => {
    const mismatched: number[] = [];
    for (let k = 1; k <= 12; k++) {
      const start = [1, 2, -3];
      const whole = tf.variable(tf.tensor1d(start));
      const wholeOpt = createOptimizer('adam', 0.01);
      train(wholeOpt, whole, k + 1);

      const first = tf.variable(tf.tensor1d(start));
      const firstOpt = createOptimizer('adam', 0.01);
      train(firstOpt, first, k);
      const slots = (await firstOpt.getWeights()).map(({ name, tensor }) => ({
        name,
        tensor: tensor.clone(),
      }));
      const resumedOpt = createOptimizer('adam', 0.01);
      await resumedOpt.setWeights(slots);
      train(resumedOpt, first, 1);
      if (Array.from(first.dataSync()).join() !== Array.from(whole.dataSync()).join()) mismatched.push(k);
      tf.dispose([whole, first, ...slots.map((s) => s.tensor)]);
      for (const o of [wholeOpt, firstOpt, resumedOpt]) o.dispose();
    }
    expect(mismatched).toEqual([]);
  });
});
