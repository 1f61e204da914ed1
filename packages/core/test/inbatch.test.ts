import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { gatherImages, IMAGE_SIZE, PIXELS } from '../src/images.ts';
import { buildSiamese, disposeSiamese, trainableVariables } from '../src/model/siamese.ts';
import { createRng } from '../src/random.ts';
import { allPairs, inBatchLoss, sampleClassBatch, sampleLabelledClassBatch } from '../src/train/inbatch.ts';
import { pairLoss } from '../src/train/losses/index.ts';
import { indexByClass } from '../src/train/pairs.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const rng = createRng(11);
const images = Uint8Array.from({ length: 6 * PIXELS }, () => rng.int(256));
const labels = [0, 0, 1, 1, 2, 2];

describe('in-batch pairs', () => {
  it('enumerates every pair i < j once, with its label', () => {
    const { a, b, same } = allPairs([3, 3, 5]);
    expect(Array.from(a)).toEqual([0, 0, 1]);
    expect(Array.from(b)).toEqual([1, 2, 2]);
    expect(Array.from(same)).toEqual([1, 0, 0]);
  });

  it('samples P classes × K images of those classes', () => {
    const classLabels = Uint8Array.from({ length: 300 }, (_, i) => i % 10);
    const batch = sampleClassBatch(indexByClass(classLabels), 4, 3, createRng(1));
    expect(batch).toHaveLength(12);
    for (let p = 0; p < 4; p++) {
      const group = new Set(Array.from(batch.subarray(p * 3, p * 3 + 3), (i) => classLabels[i]));
      expect(group.size).toBe(1);
    }
  });

  it("labels each sampled image with its own class, from the same draws as sampleClassBatch's", () => {
    const classLabels = Uint8Array.from({ length: 300 }, (_, i) => 3 + (i % 10));
    const index = indexByClass(classLabels);
    const { ids, labels: batchLabels } = sampleLabelledClassBatch(index, 4, 3, createRng(1));
    expect(Array.from(ids)).toEqual(Array.from(sampleClassBatch(index, 4, 3, createRng(1))));
    expect(Array.from(batchLabels)).toEqual(Array.from(ids, (i) => classLabels[i]));
  });

  // The plain path: both images of every explicit pair through the tower, as trainStep does.
  function explicitGrads(model: ReturnType<typeof buildSiamese>, head: 'distance' | 'mlp') {
    const { a, b, same } = allPairs(labels);
    const batch = new Float32Array(2 * a.length * PIXELS);
    gatherImages(images, a, batch.subarray(0, a.length * PIXELS));
    gatherImages(images, b, batch.subarray(a.length * PIXELS));
    const x = tf.tensor4d(batch, [2 * a.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = tf.tensor2d(same, [same.length, 1]);
    const n = a.length;
    const { value, grads } = tf.variableGrads(() => {
      const e = model.tower.apply(x, { training: false }) as tf.Tensor;
      return pairLoss(head === 'distance' ? 'contrastive' : 'bce')(
        y,
        model.head(e.slice(0, n), e.slice(n, n)),
      );
    }, trainableVariables(model));
    tf.dispose([x, y]);
    return { value, grads };
  }

  function inBatchGrads(model: ReturnType<typeof buildSiamese>, head: 'distance' | 'mlp') {
    const x = tf.tensor4d(gatherImages(images, [0, 1, 2, 3, 4, 5]), [6, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const { value, grads } = tf.variableGrads(() => {
      const e = model.tower.apply(x, { training: false }) as tf.Tensor;
      return inBatchLoss(model.head, pairLoss(head === 'distance' ? 'contrastive' : 'bce'), e, labels, {
        balance: false,
      });
    }, trainableVariables(model));
    x.dispose();
    return { value, grads };
  }

  it.each([
    ['small', 'distance'],
    ['deep', 'mlp'],
  ] as const)('gives the same loss and gradients as explicit pairs (%s tower, %s head)', (tower, head) => {
    const model = buildSiamese({ tower, head, seed: 4 });
    const baseline = tf.memory().numTensors;
    const plain = explicitGrads(model, head);
    const batched = inBatchGrads(model, head);
    expect(batched.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0]!, 5);
    for (const [name, grad] of Object.entries(plain.grads)) {
      const other = batched.grads[name]!.dataSync();
      const values = grad.dataSync() as Float32Array;
      const scale = values.reduce((max, v) => Math.max(max, Math.abs(v)), 1e-3);
      values.forEach((v, i) => {
        expect(Math.abs(v - other[i]!) / scale).toBeLessThan(1e-4);
      });
    }
    tf.dispose([plain.value, batched.value, ...Object.values(plain.grads), ...Object.values(batched.grads)]);
    expect(tf.memory().numTensors).toBe(baseline);
    disposeSiamese(model);
  });

  it('balanced weighting makes same and different pairs each half of the loss', () => {
    const e = tf.tensor2d([[0], [1], [0], [3]]); // 1-D embeddings
    const pairLabels = [0, 0, 1, 1];
    const distance = (p: tf.Tensor, q: tf.Tensor) => tf.abs(tf.sub(p, q));
    // Pairs: (0,1) same d=1, (0,2) diff d=0, (0,3) diff d=3, (1,2) diff d=1, (1,3) diff d=2, (2,3) same d=3.
    // Contrastive (margin 1): same terms 1 and 9; different terms 1, 0, 0, 0. Balanced: (10/2 + 1/4) / 2.
    const balanced = inBatchLoss(distance, pairLoss('contrastive'), e, pairLabels, { balance: true });
    expect(balanced.dataSync()[0]).toBeCloseTo((10 / 2 + 1 / 4) / 2, 5);
    const plain = inBatchLoss(distance, pairLoss('contrastive'), e, pairLabels, { balance: false });
    expect(plain.dataSync()[0]).toBeCloseTo(11 / 6, 5);
    tf.dispose([e, balanced, plain]);
  });
});
