// The head split off a saved-and-reloaded pair model scores exactly as the whole pair model does, for both
// heads (the MLP head is a small graph, not a chain). Runs in Node on the cpu backend: no browser needed.
import * as tf from '@tensorflow/tfjs';
import { buildSiamese, type HeadKind, initBackend } from '@twinnet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitPairModel } from '../src/lib/client/pair-split.ts';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

describe('splitPairModel', () => {
  it.each(['distance', 'mlp'] as HeadKind[])('reproduces the %s pair model from embeddings', async (head) => {
    const built = buildSiamese({ tower: 'small', head, embeddingDim: 8, seed: 3 });
    // Round-trip through the saved format, as the browser loads it (custom layers must deserialize).
    let saved: tf.io.ModelArtifacts | undefined;
    await built.pair.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const pair = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const { tower, head: headModel, dim } = splitPairModel(pair);
    expect(dim).toBe(8);
    const a = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 1);
    const b = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 2);
    const whole = (pair.predict([a, b]) as tf.Tensor).dataSync();
    const split = (
      headModel.predict([tower.predict(a) as tf.Tensor, tower.predict(b) as tf.Tensor]) as tf.Tensor
    ).dataSync();
    expect(Array.from(split).map((v) => v.toFixed(5))).toEqual(Array.from(whole).map((v) => v.toFixed(5)));
  });
});
