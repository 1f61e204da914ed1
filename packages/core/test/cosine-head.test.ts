import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { embed, embeddingSimilarity, scoreEmbeddedPairs } from '../src/eval/evaluate.ts';
import { PIXELS } from '../src/images.ts';
import { pairwiseCosine } from '../src/model/heads/index.ts';
import { buildSiamese, disposeSiamese } from '../src/model/siamese.ts';
import { createRng } from '../src/random.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
};

describe('cosine head', () => {
  it('scores pairs, episodes and saved models by the cosine of the embeddings, higher for same', async () => {
    const model = buildSiamese({ tower: 'small', head: 'cosine', embeddingDim: 16, seed: 4 });
    expect(model.polarity).toBe('higher-is-same');
    expect(model.headModel.trainableWeights).toHaveLength(0);
    const rng = createRng(9);
    const images = Uint8Array.from({ length: 6 * PIXELS }, () => rng.int(256));
    const e = embed(model.tower, images);
    const row = (i: number) => e.subarray(i * 16, (i + 1) * 16);
    const pairs = {
      a: Int32Array.of(0, 1, 2),
      b: Int32Array.of(3, 4, 2),
      same: Uint8Array.of(0, 1, 1),
      count: 3,
    };
    const { scores } = scoreEmbeddedPairs(model, e, pairs);
    for (let k = 0; k < 3; k++) expect(scores[k]).toBeCloseTo(cosine(row(pairs.a[k]!), row(pairs.b[k]!)), 5);
    expect(scores[2]).toBeCloseTo(1, 5);
    const sims = embeddingSimilarity(model, e)(Int32Array.of(0, 1), Int32Array.of(3, 4, 5), 1);
    expect(sims[1 * 3 + 2]).toBeCloseTo(cosine(row(1), row(5)), 5);
    // Three shots of one way: the cosine with their prototype, the mean of the L2-normalised supports.
    const unit = (v: Float32Array) => v.map((x) => x / Math.hypot(...v));
    const prototype = row(3).map((_, j) => (unit(row(3))[j]! + unit(row(4))[j]! + unit(row(5))[j]!) / 3);
    const way = embeddingSimilarity(model, e)(Int32Array.of(1), Int32Array.of(3, 4, 5), 3);
    expect(way).toHaveLength(1);
    expect(way[0]).toBeCloseTo(cosine(row(1), prototype), 5);

    // Built-in layers only: the pair model loads with plain tf.loadLayersModel and scores the same.
    let saved: tf.io.ModelArtifacts | undefined;
    await model.pair.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.tensor4d(
      Float32Array.from(images.subarray(0, 2 * PIXELS), (v) => v / 255),
      [2, 28, 28, 1],
    );
    const [xa, xb] = tf.split(x, 2);
    const out = (loaded.predict([xa!, xb!]) as tf.Tensor).dataSync();
    expect(out[0]).toBeCloseTo(cosine(row(0), row(1)), 4);
    tf.dispose([x, xa!, xb!]);
    loaded.dispose();
    disposeSiamese(model);
  });

  it('gives cosine similarity matrices without leaking tensors; a zero row scores 0', () => {
    const before = tf.memory().numTensors;
    const q = tf.tensor2d([3, 4, 0, 0, 1, 0], [2, 3]);
    const s = tf.tensor2d([6, 8, 0, 0, 0, 0, 0, 0, 2], [3, 3]);
    const m = pairwiseCosine(q, s);
    expect(Array.from(m.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 0, 0, 0.8, 0, 0]);
    // A wide non-negative embedding against itself stays within 1 (its rounding may not show as 1.0000001).
    const wide = tf.tensor2d(
      Float32Array.from({ length: 3 * 512 }, (_, i) => Math.abs(Math.sin(i * 0.37)) * 7),
      [3, 512],
    );
    const self = pairwiseCosine(wide, wide);
    expect(Array.from(self.dataSync()).every((v) => v >= -1 && v <= 1)).toBe(true);
    tf.dispose([q, s, m, wide, self]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
