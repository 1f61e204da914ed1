import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '@twinnet/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { PIXELS } from '../src/images.ts';
import { disposeSiamese } from '../src/model/siamese.ts';
import { createRng } from '../src/random.ts';
import { prepareData } from '../src/train/data.ts';
import { buildTraining, type FitData, type FitState, fit } from '../src/train/fit.ts';
import {
  disposeObjective,
  LOSS_DEFAULTS,
  LOSSES,
  type Objective,
  objectiveVariables,
} from '../src/train/losses/index.ts';
import { PAIRINGS } from '../src/train/pairings/index.ts';
import { preset } from '../src/train/presets.ts';
import { checkRecipe, type TrainRecipe } from '../src/train/recipe.ts';
import { NonFiniteLossError } from '../src/train/steps.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** A small recipe: the contrastive preset cut down to seconds. */
function tiny(overrides: Partial<TrainRecipe> = {}): TrainRecipe {
  return checkRecipe({
    ...preset('mnist', 'contrastive'),
    epochs: 1,
    pairsPerEpoch: 48,
    batchSize: 16,
    ...overrides,
  });
}

/** 4 classes × 10 noisy images, enough for in-batch and explicit pairs. */
function synthetic(): FitData {
  const rng = createRng(9);
  const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 4);
  const images = Uint8Array.from(
    { length: 40 * PIXELS },
    (_, i) => (labels[Math.floor(i / PIXELS)]! * 60 + rng.int(40)) % 256,
  );
  const split = { images, labels, count: 40 };
  return { train: split, validation: split, classes: [0, 1, 2, 3] };
}

const weightsOf = (result: { model: { pair: tf.LayersModel } }) =>
  result.model.pair.getWeights().map((w) => Array.from(w.dataSync()));

describe('fit', () => {
  it('learns: a seeded explicit-pair run of the small tower on 5,500 MNIST images beats 80% validation accuracy', async () => {
    const mnist = await loadDataset('mnist');
    const recipe = tiny({
      epochs: 4,
      pairsPerEpoch: 512,
      pairing: { kind: 'explicit', balance: false, views: 1 },
      data: { trainSize: 5500, validationFraction: 1 / 12 },
      evaluation: {
        validationPairs: 2000,
        testPairs: 2,
        episodes: 1,
        embedPoints: 2,
        openSetTarget: { kind: 'best-f1' },
      },
    });
    const data = prepareData(recipe, { name: 'mnist', train: mnist.train, test: mnist.test });
    const baseline = tf.memory().numTensors;
    const result = await fit(recipe, data);
    const last = result.state.history.at(-1)!;
    console.log(
      `smoke test: validation pair accuracy ${(100 * last.valAccuracy).toFixed(1)}% after 2,048 pairs`,
    );
    expect(result.state.history).toHaveLength(4);
    expect(last.valAccuracy).toBeGreaterThan(0.8);
    disposeSiamese(result.model);
    result.optimizer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('takes the pairing registry’s steps per epoch, counting every pair of every in-batch step', async () => {
    const recipe = tiny({ pairsPerEpoch: 8, batchSize: 8 });
    const steps: number[] = [];
    let pairs = 0;
    const result = await fit(recipe, synthetic(), {
      onEpochStart: (e) => steps.push(e.steps),
      onStep: (e) => {
        pairs = e.pairs;
      },
    });
    // 2 × 8 images / 8 per batch = 2 steps of 4 classes × 2 images: 28 pairs each.
    expect(steps).toEqual([PAIRINGS.get('in-batch').stepsPerEpoch(8, 8)]);
    expect(steps).toEqual([2]);
    expect(pairs).toBe(56);
    disposeSiamese(result.model);
    result.optimizer.dispose();
  });

  it('stops with NonFiniteLossError naming the step when the loss is not finite', async () => {
    if (!LOSSES.has('always-nan')) {
      LOSSES.register('always-nan', {
        kind: 'pair',
        summary: 'test only',
        heads: ['distance'],
        create: () => (_same, output) => tf.tidy(() => tf.mul(tf.mean(output), Number.NaN) as tf.Scalar),
        runningThreshold: () => 0.5,
      });
    }
    // Straight past the schema (whose enum was fixed at load), as a new loss under test would be.
    const recipe = {
      ...tiny({ epochs: 2 }),
      loss: { kind: 'always-nan', margin: 1, temperature: 0.1 },
    } as TrainRecipe;
    const checkpoints: FitState[] = [];
    const run = fit(recipe, synthetic(), {
      checkpoint: async (_m, _o, state) => void checkpoints.push(state),
    });
    await expect(run).rejects.toBeInstanceOf(NonFiniteLossError);
    await expect(run).rejects.toThrow(/loss became NaN at step 1\b/);
    expect(checkpoints).toHaveLength(0);
  });

  /** Trains `recipe` whole, then aborted at step 2 of epoch 2 and resumed from the checkpoint hook's copy. */
  async function abortAndResume(recipe: TrainRecipe, options: { restoreLossVariables: boolean }) {
    const whole = await fit(recipe, synthetic());
    const controller = new AbortController();
    interface Saved {
      state: FitState;
      weights: tf.Tensor[];
      /** The optimizer's own variables, and a fresh tensor of its step count ('iter'). */
      slots: Awaited<ReturnType<tf.Optimizer['getWeights']>>;
      lossWeights: tf.Tensor[];
    }
    // Frees a checkpoint's copies (the optimizer's variables are the optimizer's to free).
    const release = (copy: Saved | undefined) =>
      copy &&
      tf.dispose([
        ...copy.weights,
        ...copy.lossWeights,
        ...copy.slots.filter((s) => s.name === 'iter').map((s) => s.tensor),
      ]);
    let saved: Saved | undefined;
    const first = await fit(recipe, synthetic(), {
      signal: controller.signal,
      onStep: (e) => {
        if (e.epoch === 2 && e.step === 2) controller.abort();
      },
      checkpoint: async (model, optimizer, state, lossVariables) => {
        release(saved);
        saved = {
          state,
          weights: model.pair.getWeights().map((w) => w.clone()),
          slots: await optimizer.getWeights(),
          lossWeights: lossVariables.map((v) => v.clone()),
        };
      },
    });
    expect(first.status).toBe('aborted');
    expect(saved!.state.partial).toMatchObject({ epoch: 2, steps: 2 });
    expect(saved!.state.epochsDone).toBe(1);
    const resumed = await fit(recipe, synthetic(), {
      restore: async (model, optimizer, lossVariables) => {
        model.pair.setWeights(saved!.weights);
        await optimizer.setWeights(saved!.slots);
        if (options.restoreLossVariables) {
          for (const [i, v] of lossVariables.entries()) v.assign(saved!.lossWeights[i]!);
        }
        return saved!.state;
      },
    });
    expect(resumed.status).toBe('done');
    expect(resumed.state.history.map((r) => r.epoch)).toEqual([1, 2]);
    const outcome = {
      expected: weightsOf(whole),
      got: weightsOf(resumed),
      expectedLoss: lossWeightsOf(whole),
      gotLoss: lossWeightsOf(resumed),
      savedLoss: saved!.lossWeights.length,
    };
    release(saved);
    for (const r of [whole, first, resumed]) {
      disposeSiamese(r.model);
      r.optimizer.dispose();
      disposeObjective(r.objective);
    }
    return outcome;
  }

  const lossWeightsOf = (result: { objective: Objective }) =>
    objectiveVariables(result.objective).map((v) => Array.from(v.dataSync()));

  it('aborts mid-epoch with a checkpoint that resumes to exactly the uninterrupted weights', async () => {
    const { expected, got, savedLoss } = await abortAndResume(tiny({ epochs: 2 }), {
      restoreLossVariables: true,
    });
    expect(got).toEqual(expected);
    expect(savedLoss).toBe(0);
  });

  it.each(['in-batch', 'explicit'] as const)(
    'resumes an augmented %s run to exactly the uninterrupted weights (skipped steps skip their draws)',
    async (kind) => {
      const augmentation: TrainRecipe['augmentation'] = [
        { kind: 'affine', rotation: 15, scale: 0.1, shift: 2 },
        { kind: 'stroke', thickness: 0.5 },
      ];
      const pairing = { kind, balance: kind === 'in-batch', views: 1 };
      const plainResume = await abortAndResume(tiny({ epochs: 2, pairing }), { restoreLossVariables: true });
      expect(plainResume.got).toEqual(plainResume.expected);
      const { expected, got } = await abortAndResume(tiny({ epochs: 2, pairing, augmentation }), {
        restoreLossVariables: true,
      });
      expect(got).toEqual(expected);
      // Augmentation changes what is learnt: the same run without it ends elsewhere.
      expect(plainResume.expected).not.toEqual(expected);
    },
  );

  it('checkpoints a proxy loss’s proxies with the tower: the resumed run matches the whole one exactly', async () => {
    const recipe = tiny({ epochs: 2, loss: { ...LOSS_DEFAULTS, kind: 'norm-softmax', margin: 1 } });
    const baseline = tf.memory().numTensors;
    const resumed = await abortAndResume(recipe, { restoreLossVariables: true });
    expect(resumed.savedLoss).toBe(1);
    expect(resumed.got).toEqual(resumed.expected);
    expect(resumed.gotLoss).toEqual(resumed.expectedLoss);
    // The test has teeth: proxies left at their fresh initial values after the resume end elsewhere.
    const forgotten = await abortAndResume(recipe, { restoreLossVariables: false });
    expect(forgotten.gotLoss).not.toEqual(forgotten.expectedLoss);
    expect(forgotten.got).not.toEqual(forgotten.expected);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('trains views with a projection head: abort + resume gives exactly the uninterrupted tower and head', async () => {
    const recipe = tiny({
      epochs: 2,
      loss: { ...LOSS_DEFAULTS, kind: 'supcon', margin: 1, projection: 8, instanceWeight: 0.5 },
      pairing: { kind: 'in-batch', balance: false, views: 2 },
      augmentation: [{ kind: 'affine', rotation: 10, scale: 0.1, shift: 2 }],
    });
    const resumed = await abortAndResume(recipe, { restoreLossVariables: true });
    expect(resumed.got).toEqual(resumed.expected);
    expect(resumed.gotLoss).toEqual(resumed.expectedLoss);
    // The projection head's three weights are the loss's own, restored with the checkpoint.
    expect(resumed.savedLoss).toBe(3);
  });

  it('refuses views without a batch loss or without augmentation', () => {
    const views = { kind: 'in-batch', balance: false, views: 2 };
    expect(() =>
      tiny({ pairing: views, augmentation: [{ kind: 'affine', rotation: 10, scale: 0, shift: 0 }] }),
    ).toThrow(/pairing.views > 1 needs a batch loss and an augmentation/);
    expect(() => tiny({ pairing: views, loss: { ...LOSS_DEFAULTS, kind: 'supcon', margin: 1 } })).toThrow(
      /needs a batch loss and an augmentation/,
    );
  });

  it.each(['supcon', 'multi-similarity', 'norm-softmax'])(
    'trains the batch loss %s on in-batch batches: the tower learns, the head is left alone, figures stay finite',
    async (kind) => {
      const recipe = tiny({ loss: { ...LOSS_DEFAULTS, kind, margin: 1, temperature: 0.2 }, epochs: 2 });
      const data = synthetic();
      const untrained = buildTraining(recipe, data.classes);
      const result = await fit(recipe, data);
      const record = result.state.history.at(-1)!;
      for (const value of [record.trainLoss, record.trainAccuracy, record.valLoss, record.valAccuracy]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(record.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(record.trainAccuracy).toBeLessThanOrEqual(1);
      // The calibration layer (w, b) is not in a batch loss's graph: it keeps its initial 4 and −2.
      const calibration = result.model.pair.getLayer('head_calibration').getWeights();
      expect(Array.from(calibration[0]!.dataSync())).toEqual([4]);
      expect(Array.from(calibration[1]!.dataSync())).toEqual([-2]);
      const towerNow = result.model.tower.getWeights().map((w) => Array.from(w.dataSync()));
      const towerStart = untrained.model.tower.getWeights().map((w) => Array.from(w.dataSync()));
      expect(towerNow).not.toEqual(towerStart);
      // A proxy loss's proxies (one per training class) learn too, outside the model: the tower's weights are
      // those of any other run, so the saved tower stays a plain layers model.
      const proxies = lossWeightsOf(result);
      expect(proxies).toHaveLength(kind === 'norm-softmax' ? 1 : 0);
      if (kind === 'norm-softmax') {
        expect(objectiveVariables(result.objective)[0]!.shape).toEqual([4, 10]);
        expect(proxies).not.toEqual(lossWeightsOf(untrained));
      }
      expect(result.model.pair.weights.map((w) => w.shape)).toEqual(
        untrained.model.pair.weights.map((w) => w.shape),
      );
      for (const r of [untrained, result]) {
        disposeSiamese(r.model);
        r.optimizer.dispose();
        disposeObjective(r.objective);
      }
    },
  );

  it('refuses a batch loss with explicit pairs before training', () => {
    expect(() =>
      tiny({
        loss: { ...LOSS_DEFAULTS, kind: 'supcon', margin: 1, temperature: 0.1 },
        pairing: { kind: 'explicit', balance: false, views: 1 },
      }),
    ).toThrow(/loss 'supcon' scores whole batches: it needs in-batch pairing/);
  });
});
