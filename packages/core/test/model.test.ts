import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { embed, scorePairs } from '../src/eval/evaluate.ts';
import { PIXELS } from '../src/images.ts';
import { CALIBRATION_LAYER, euclideanDistance, scoreToDistance } from '../src/model/heads/index.ts';
import { buildSiamese, disposeSiamese, trainableVariables } from '../src/model/siamese.ts';
import { buildTower } from '../src/model/towers/index.ts';
import { createRng } from '../src/random.ts';
import { pairLoss } from '../src/train/losses/index.ts';
import { createOptimizer } from '../src/train/optimizers/index.ts';
import { indexByClass, samplePairs } from '../src/train/pairs.ts';
import { preset } from '../src/train/presets.ts';
import { checkRecipe } from '../src/train/recipe.ts';
import { trainStep } from '../src/train/steps.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const rng = createRng(5);
const images = Uint8Array.from({ length: 40 * PIXELS }, () => rng.int(256));
const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 4);

function weightCount(model: tf.LayersModel): number {
  return model.weights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

describe.each([
  ['small', 'distance'],
  ['deep', 'mlp'],
] as const)('%s tower with %s head', (tower, head) => {
  it('shares one tower between both inputs', () => {
    const model = buildSiamese({ tower, head, seed: 3 });
    const headWeights = model.pair.layers
      .filter((layer) => layer.name.startsWith('head_'))
      .reduce((n, layer) => n + layer.countParams(), 0);
    expect(weightCount(model.pair)).toBe(weightCount(model.tower) + headWeights);
    // The tower appears once among the pair model's layers, called on both inputs.
    expect(model.pair.layers.filter((layer) => layer.name === 'tower')).toHaveLength(1);
    const towerVars = new Set(model.tower.trainableWeights.map((w) => w.read().id));
    const pairVars = trainableVariables(model).map((v) => v.id);
    expect(pairVars.filter((id) => towerVars.has(id))).toHaveLength(towerVars.size);
    disposeSiamese(model);
  });

  it('computes the pair model in one tower pass, and round-trips through save and load', async () => {
    const model = buildSiamese({ tower, head, seed: 3 });
    const pairs = samplePairs(indexByClass(labels), 8, createRng(1));
    const { scores } = scorePairs(
      model,
      images,
      pairs,
      pairLoss(head === 'distance' ? 'contrastive' : 'bce'),
    );
    const xa = tf.tensor4d(
      Float32Array.from(indexRows(pairs.a), (v) => v / 255),
      [8, 28, 28, 1],
    );
    const xb = tf.tensor4d(
      Float32Array.from(indexRows(pairs.b), (v) => v / 255),
      [8, 28, 28, 1],
    );
    const direct = (model.pair.predict([xa, xb]) as tf.Tensor).dataSync();
    expect(
      Array.from(scores)
        .map((v, i) => v - direct[i]!)
        .every((d) => Math.abs(d) < 1e-4),
    ).toBe(true);

    let saved: tf.io.ModelArtifacts | undefined;
    await model.pair.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const again = (loaded.predict([xa, xb]) as tf.Tensor).dataSync();
    expect(Array.from(again)).toEqual(Array.from(direct));
    loaded.dispose();
    tf.dispose([xa, xb]);
    disposeSiamese(model);
  });

  it('leaks no tensors in a training step or an evaluation', () => {
    const model = buildSiamese({ tower, head, seed: 3 });
    const optimizer = createOptimizer('adam', 1e-3);
    const pairs = samplePairs(indexByClass(labels), 8, createRng(2));
    const batch = new Float32Array(16 * PIXELS).fill(0.5);
    // The first step creates the optimizer's slots; count from after it.
    trainStep(
      model,
      optimizer,
      pairLoss(head === 'distance' ? 'contrastive' : 'bce'),
      batch,
      pairs.same,
      0.5,
    );
    const baseline = tf.memory().numTensors;
    const step = trainStep(
      model,
      optimizer,
      pairLoss(head === 'distance' ? 'contrastive' : 'bce'),
      batch,
      pairs.same,
      0.5,
    );
    expect(Number.isFinite(step.loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
    scorePairs(model, images, pairs, pairLoss(head === 'distance' ? 'contrastive' : 'bce'));
    embed(model.tower, images, undefined, 7);
    expect(tf.memory().numTensors).toBe(baseline);
    optimizer.dispose();
    disposeSiamese(model);
  });

  function indexRows(indices: Int32Array): Uint8Array {
    const out = new Uint8Array(indices.length * PIXELS);
    indices.forEach((idx, i) => {
      out.set(images.subarray(idx * PIXELS, (idx + 1) * PIXELS), i * PIXELS);
    });
    return out;
  }
});

describe('euclidean distance', () => {
  it('has a finite gradient at zero distance', () => {
    const a = tf.tensor2d([[0.3, -0.2, 0.1]]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(euclideanDistance(x, a)))(a);
    for (const v of grad.dataSync()) expect(Number.isFinite(v)).toBe(true);
    tf.dispose([a, grad]);
  });
});

describe('distance head calibration', () => {
  it('scores a pair sigmoid(w·d + b) of its embedding distance, which scoreToDistance inverts', () => {
    const model = buildSiamese({ tower: 'small', head: 'distance', seed: 6 });
    const layer = model.pair.layers.find((l) => l.name === CALIBRATION_LAYER)!;
    // Move off the initial weights, so the test sees the layer's values, not constants.
    layer.setWeights([tf.tensor2d([[2.5]]), tf.tensor1d([-0.7])]);
    const ea = tf.tensor2d([[0.1, 0.2, -0.3, 0.0, 0.5, 0.1, 0.0, 0.2, 0.3, -0.1]]);
    const eb = tf.tensor2d([[0.4, -0.1, 0.2, 0.3, 0.0, 0.2, -0.2, 0.1, 0.0, 0.1]]);
    const d = euclideanDistance(ea, eb).dataSync()[0]!;
    const score = (model.head(ea, eb) as tf.Tensor).dataSync()[0]!;
    expect(score).toBeCloseTo(1 / (1 + Math.exp(-(2.5 * d - 0.7))), 5);
    expect(scoreToDistance(score, { w: 2.5, b: -0.7 })).toBeCloseTo(d, 4);
    tf.dispose([ea, eb]);
    disposeSiamese(model);
  });

  it('refuses a decreasing calibration and a score outside (0, 1)', () => {
    expect(() => scoreToDistance(0.5, { w: -1, b: 0 })).toThrow(/must increase with distance/);
    expect(() => scoreToDistance(1, { w: 4, b: -2 })).toThrow(/strictly between 0 and 1/);
  });
});

describe('tower width', () => {
  it('scales the channels of every stage of a scalable tower, and is refused elsewhere', () => {
    const channels = (width: number) => {
      const tower = buildTower('vgg', { width, embeddingDim: 8 });
      const out = tower.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.getConfig().filters);
      tower.dispose();
      return out;
    };
    expect(channels(1)).toEqual([32, 32, 64, 64, 128, 128]);
    expect(channels(0.75)).toEqual([24, 24, 48, 48, 96, 96]);
    expect(() => buildTower('small', { width: 0.5 })).toThrow(/tower 'small' has no stages to widen/);
    const recipe = preset('mnist', 'contrastive');
    expect(() => checkRecipe({ ...recipe, tower: { ...recipe.tower, width: 2 } })).toThrow(
      /tower 'small' has no stages to widen: tower.width must be 1/,
    );
    expect(checkRecipe({ ...recipe, tower: { kind: 'vgg', embeddingDim: 64, width: 0.5 } }).tower.width).toBe(
      0.5,
    );
  });
});
