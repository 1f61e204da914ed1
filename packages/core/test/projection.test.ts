import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { createRng } from '../src/random.ts';
import { buildTraining } from '../src/train/fit.ts';
import { withProjection } from '../src/train/losses/projection.ts';
import { supervisedContrastiveLoss } from '../src/train/losses/supervised-contrastive.ts';
import { preset } from '../src/train/presets.ts';
import { withOverrides } from '../src/train/recipe.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('projection head', () => {
  it('scores ReLU(e·W1 + b1)·W2 with the inner loss, owns its weights and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const inner = supervisedContrastiveLoss(0.1);
    const owned = withProjection(6, 3, createRng(1), () => ({ loss: inner, variables: [] }));
    expect(owned.variables.map((v) => v.shape)).toEqual([[6, 6], [6], [6, 3]]);
    const labels = [0, 0, 1, 1, 2];
    const e = tf.tensor2d(
      Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7)),
      [5, 6],
    );
    const [w1, b1, w2] = owned.variables as tf.Variable[];
    const manual = tf.tidy(() => inner(tf.matMul(tf.relu(tf.add(tf.matMul(e, w1!), b1!)), w2!), labels));
    const value = owned.loss(e, labels);
    expect(value.dataSync()[0]).toBeCloseTo(manual.dataSync()[0]!, 6);
    // Gradients reach the head's weights and the embeddings.
    const grads = tf.variableGrads(() => owned.loss(e, labels), [...owned.variables] as tf.Variable[]);
    for (const g of Object.values(grads.grads))
      expect(tf.tidy(() => tf.norm(g).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([e, manual, value, grads.value, ...Object.values(grads.grads)]);
    for (const v of owned.variables) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is built by the recipe: same seed, same head; projection 0 leaves the loss bare', () => {
    const recipe = withOverrides(
      preset('mnist', 'metric', true),
      { loss: { kind: 'supcon', projection: 32 }, tower: { kind: 'small', embeddingDim: 16 } },
      10,
    );
    const a = buildTraining(recipe);
    const b = buildTraining(recipe);
    const va = a.objective.kind === 'batch' ? a.objective.variables : [];
    const vb = b.objective.kind === 'batch' ? b.objective.variables : [];
    expect(va.map((v) => v.shape)).toEqual([[16, 16], [16], [16, 32]]);
    expect(Array.from(va[2]!.dataSync())).toEqual(Array.from(vb[2]!.dataSync()));
    const bare = buildTraining(withOverrides(recipe, { loss: { projection: 0 } }, 10));
    expect(bare.objective.kind === 'batch' && bare.objective.variables).toEqual([]);
  });
});
