import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { embed, scoreWithObjective } from '../src/eval/evaluate.ts';
import { PIXELS } from '../src/images.ts';
import { buildReadout, readoutProblem } from '../src/model/readout.ts';
import { disposeSiamese, readoutPair, trainableVariables } from '../src/model/siamese.ts';
import { buildTower } from '../src/model/towers/index.ts';
import { createRng } from '../src/random.ts';
import { buildTraining } from '../src/train/fit.ts';
import { disposeObjective } from '../src/train/losses/loss.ts';
import { indexByClass, samplePairs } from '../src/train/pairs.ts';
import { preset } from '../src/train/presets.ts';
import { checkRecipe, RecipeError, resumeKey, withOverrides } from '../src/train/recipe.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const rng = createRng(11);
const images = Uint8Array.from({ length: 12 * PIXELS }, () => rng.int(256));
const labels = Uint8Array.from({ length: 12 }, (_, i) => i % 3);
const batch = (n: number) =>
  tf.tensor4d(
    Float32Array.from(images.subarray(0, n * PIXELS), (v) => v / 255),
    [n, 28, 28, 1],
  );

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('readout', () => {
  it("'output' is the tower itself", () => {
    const tower = buildTower('encoder', { seed: 2 });
    expect(buildReadout(tower, 'encoder', 'output')).toBe(tower);
    tower.dispose();
  });

  it("'grid' is the encoder's third convolution, flattened, on the tower's own weights", () => {
    const tower = buildTower('encoder', { seed: 2 });
    const grid = buildReadout(tower, 'encoder', 'grid');
    expect(grid.outputs[0]!.shape).toEqual([null, 4 * 4 * 128]);
    const x = batch(3);
    // The same three convolutions applied by hand, layer by layer.
    const byHand = tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const layer of tower.layers.slice(0, 3)) h = layer.apply(h) as tf.Tensor;
      return h.reshape([3, -1]);
    });
    const out = grid.predict(x) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual(Array.from(byHand.dataSync()));
    // Shared weights: a change to the tower's first kernel changes the readout.
    const [kernel, bias] = tower.layers[0]!.getWeights();
    tower.layers[0]!.setWeights([tf.mul(kernel!, 2), bias!]);
    const changed = grid.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(changed, out))).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, byHand, out, changed]);
    tower.dispose();
  });

  it('saves and loads with plain tf.loadLayersModel, without the layers it does not read', async () => {
    const tower = buildTower('encoder', { seed: 4 });
    const grid = buildReadout(tower, 'encoder', 'grid');
    const loaded = await roundTrip(grid);
    expect(loaded.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(3);
    const x = batch(2);
    const [a, b] = [grid.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    loaded.dispose();
    tower.dispose();
  });

  it("'output+grid' is the output and the grid, each centred and of unit length, side by side", async () => {
    const tower = buildTower('encoder', { seed: 6 });
    const joined = buildReadout(tower, 'encoder', 'output+grid');
    expect(joined.outputs[0]!.shape).toEqual([null, 512 + 2048]);
    const grid = buildReadout(tower, 'encoder', 'grid');
    const x = batch(3);
    const [out, o, g] = [joined, tower, grid].map(
      (m) => (m.predict(x) as tf.Tensor).arraySync() as number[][],
    );
    // By hand, in float64: subtract the row's mean, divide by the row's length.
    const unit = (row: number[]) => {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const centred = row.map((v) => v - mean);
      const length = Math.hypot(...centred);
      return centred.map((v) => v / length);
    };
    for (let i = 0; i < 3; i++) {
      const expected = [...unit(o![i]!), ...unit(g![i]!)];
      const worst = Math.max(...expected.map((v, j) => Math.abs(v - out![i]![j]!)));
      expect(worst).toBeLessThan(2e-5);
      // Each part has length 1, so neither outweighs the other in a cosine.
      expect(Math.hypot(...out![i]!.slice(0, 512))).toBeCloseTo(1, 4);
      expect(Math.hypot(...out![i]!.slice(512))).toBeCloseTo(1, 4);
    }
    const loaded = await roundTrip(joined);
    const [a, b] = [joined.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    loaded.dispose();
    tower.dispose();
  });

  it('is refused where the tower has no grid or the head does not compare by cosine', () => {
    expect(readoutProblem('encoder', 'grid')).toBeNull();
    expect(readoutProblem('encoder', 'output+grid')).toBeNull();
    expect(readoutProblem('vgg', 'grid')).toMatch(/tower 'vgg' has no feature map/);
    expect(readoutProblem('small', 'output+grid')).toMatch(
      /tower 'small' has no feature map for the 'output\+grid'/,
    );
    const metric = preset('mnist', 'metric', true);
    const refused = (overrides: Parameters<typeof withOverrides>[1], message: RegExp) => {
      let error: unknown;
      try {
        withOverrides(metric, overrides, 10);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecipeError);
      expect((error as RecipeError).path).toBe('tower.readout');
      expect((error as Error).message).toMatch(message);
    };
    refused(
      { tower: { kind: 'small', embeddingDim: 10, readout: 'grid' } },
      /tower 'small' has no feature map/,
    );
    refused({ tower: { readout: 'grid' }, head: { kind: 'mlp' } }, /needs the cosine head, not 'mlp'/);
    expect(() => checkRecipe({ ...metric, tower: { ...metric.tower, readout: 'pooled' } })).toThrow(
      /tower\.readout/,
    );
  });

  it("is the new tower's output when an override changes the tower kind without naming a readout", () => {
    const metric = withOverrides(preset('mnist', 'metric', true), { tower: { readout: 'grid' } }, 10);
    expect(withOverrides(metric, { tower: { kind: 'vgg', embeddingDim: 128 } }, 10).tower.readout).toBe(
      'output',
    );
    expect(withOverrides(metric, { tower: { embeddingDim: 256 } }, 10).tower.readout).toBe('grid');
    expect(withOverrides(metric, { tower: { kind: 'encoder' } }, 10).tower.readout).toBe('grid');
  });

  it('does not change what resumes: the resume key leaves it out', () => {
    const metric = preset('mnist', 'metric', true);
    const grid = withOverrides(metric, { tower: { readout: 'grid' } }, 10);
    expect(resumeKey(grid)).toEqual(resumeKey({ ...metric, tower: { ...metric.tower, readout: 'output' } }));
  });
});

describe('a Siamese model read out by its grid', () => {
  const recipe = withOverrides(preset('mnist', 'metric', false), { tower: { readout: 'grid' } }, 10);

  it('trains every tower weight, compares grids in its head and saved pair, and frees all it made', async () => {
    const before = tf.memory().numTensors;
    const { model, objective, optimizer } = buildTraining(recipe, [0, 1, 2]);
    // Training still reaches the last convolution, which the grid does not read.
    const trained = new Set(trainableVariables(model).map((v) => v.id));
    for (const w of model.tower.trainableWeights) expect(trained.has(w.read().id)).toBe(true);
    expect(model.headModel.inputs[0]!.shape).toEqual([null, 2048]);
    const e = embed(model.readout, images);
    const pairs = samplePairs(indexByClass(labels), 6, createRng(3));
    const scored = scoreWithObjective(model, objective, { images, labels, embeddings: e }, pairs);
    const row = (i: number) => e.subarray(i * 2048, (i + 1) * 2048);
    const cosine = (a: Float32Array, b: Float32Array) =>
      a.reduce((s, x, j) => s + x * b[j]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    expect(scored.scores[0]).toBeCloseTo(cosine(row(pairs.a[0]!), row(pairs.b[0]!)), 4);
    // The batch loss is the one on the trained tower's output, which its projection takes.
    expect(Number.isFinite(scored.loss)).toBe(true);
    const loaded = await roundTrip(readoutPair(model));
    const x = batch(2);
    const [xa, xb] = tf.split(x, 2);
    const out = loaded.predict([xa!, xb!]) as tf.Tensor;
    expect(out.dataSync()[0]).toBeCloseTo(cosine(row(0), row(1)), 4);
    tf.dispose([x, xa!, xb!, out]);
    // dispose() leaves a nested model's weights alone (as matcher.ts notes): free what was loaded.
    const loadedWeights = loaded.weights.map((w) => w.read());
    loaded.dispose();
    tf.dispose(loadedWeights);
    disposeObjective(objective);
    optimizer.dispose();
    disposeSiamese(model);
    expect(tf.memory().numTensors).toBe(before);
  });
});
