import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { IMAGE_SIZE, PIXELS } from '../src/images.ts';
import { disposeSiamese } from '../src/model/siamese.ts';
import { createRng } from '../src/random.ts';
import { createAugmenter } from '../src/train/augment/augmenter.ts';
import { parseAugmentations } from '../src/train/augment/flag.ts';
import { type Augmentation, affineMatrix, affineWarp, strokeWidth } from '../src/train/augment/index.ts';
import { buildTraining } from '../src/train/fit.ts';
import { type EpochContext, PAIRINGS } from '../src/train/pairings/index.ts';
import { indexByClass } from '../src/train/pairs.ts';
import { preset } from '../src/train/presets.ts';
import { checkRecipe, RecipeError, resumeKey, type TrainRecipe } from '../src/train/recipe.ts';
import * as steps from '../src/train/steps.ts';

// Every training step's arguments, to see what the pairings hand the step after augmenting.
vi.mock('../src/train/steps.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/train/steps.ts')>();
  return {
    ...original,
    trainStep: vi.fn(original.trainStep),
    trainStepInBatch: vi.fn(original.trainStepInBatch),
  };
});

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const AFFINE: Augmentation = { kind: 'affine', rotation: 15, scale: 0.1, shift: 2 };
const STROKE: Augmentation = { kind: 'stroke', thickness: 0.5 };

/** `count` images of random strokes: background 0, a few bright blobs. */
function images(count: number, seed = 3): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < 30; s++) {
      const x = 6 + rng.int(16);
      const y = 6 + rng.int(16);
      out[i * PIXELS + y * IMAGE_SIZE + x] = 0.5 + rng.next() / 2;
    }
  }
  return out;
}

/** A 28×28 image with one lit pixel at column x, row y. */
function lit(x: number, y: number): Float32Array {
  const image = new Float32Array(PIXELS);
  image[y * IMAGE_SIZE + x] = 1;
  return image;
}

/** The brightest pixel's column, row and value, and the image's sum. */
function peak(image: Float32Array): { x: number; y: number; value: number; sum: number } {
  let best = 0;
  let sum = 0;
  for (let p = 0; p < PIXELS; p++) {
    sum += image[p]!;
    if (image[p]! > image[best]!) best = p;
  }
  return { x: best % IMAGE_SIZE, y: Math.floor(best / IMAGE_SIZE), value: image[best]!, sum };
}

const warped = (image: Float32Array, warp: Parameters<typeof affineWarp>[2]) => {
  const out = new Float32Array(PIXELS);
  affineWarp(image, out, warp);
  return out;
};

describe('augmentation', () => {
  it('is deterministic under a seed: the same seed gives the same batch, another seed another', () => {
    const batch = images(16);
    const run = (seed: number) => createAugmenter([AFFINE, STROKE], createRng(seed))!.apply(batch, 16);
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
    // Every image gets its own draws: two copies of one image come out different.
    const twice = new Float32Array(2 * PIXELS);
    twice.set(batch.subarray(0, PIXELS), 0);
    twice.set(batch.subarray(0, PIXELS), PIXELS);
    const out = createAugmenter([AFFINE], createRng(7))!.apply(twice, 2);
    expect(out.subarray(0, PIXELS)).not.toEqual(out.subarray(PIXELS));
  });

  it('leaves images as they are at identity parameters, and draws nothing for an empty list', () => {
    const batch = images(8);
    const identity: Augmentation[] = [
      { kind: 'affine', rotation: 0, scale: 0, shift: 0 },
      { kind: 'stroke', thickness: 0 },
    ];
    const out = createAugmenter(identity, createRng(1))!.apply(batch, 8);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(batch[i]!, 6);
    expect(out).not.toBe(batch);
    expect(createAugmenter([], createRng(1))).toBeUndefined();
  });

  it('moves a single lit pixel where a known shift, rotation or zoom puts it', () => {
    const shifted = peak(warped(lit(10, 12), { degrees: 0, factor: 1, dx: 3, dy: -2 }));
    expect(shifted).toEqual({ x: 13, y: 10, value: 1, sum: 1 });
    // Half a pixel across splits the pixel between two columns.
    const half = warped(lit(10, 12), { degrees: 0, factor: 1, dx: 0.5, dy: 0 });
    expect(half[12 * IMAGE_SIZE + 10]).toBeCloseTo(0.5, 6);
    expect(half[12 * IMAGE_SIZE + 11]).toBeCloseTo(0.5, 6);
    // 90° counter-clockwise about the centre (13.5, 13.5): right of centre goes up, above goes left.
    const right = peak(warped(lit(20, 13), { degrees: 90, factor: 1, dx: 0, dy: 0 }));
    expect([right.x, right.y]).toEqual([13, 7]);
    expect(right.value).toBeCloseTo(1, 6);
    expect(right.sum).toBeCloseTo(1, 6);
    const above = peak(warped(lit(13, 7), { degrees: 90, factor: 1, dx: 0, dy: 0 }));
    expect([above.x, above.y]).toEqual([7, 14]);
    // Three times the size: (14, 14), half a pixel from the centre each way, lands 1.5 pixels out at (15, 15).
    const zoomed = peak(warped(lit(14, 14), { degrees: 0, factor: 3, dx: 0, dy: 0 }));
    expect([zoomed.x, zoomed.y]).toEqual([15, 15]);
    expect(zoomed.value).toBeCloseTo(1, 6);
  });

  it('thickens or thins strokes by the drawn share of a 3×3 dilation or erosion', () => {
    const dot = lit(10, 10);
    const out = new Float32Array(PIXELS);
    strokeWidth(dot, out, 1);
    expect(peak(out).sum).toBeCloseTo(9, 6);
    expect(out[9 * IMAGE_SIZE + 9]).toBe(1);
    strokeWidth(dot, out, 0.5);
    expect(out[10 * IMAGE_SIZE + 10]).toBe(1);
    expect(out[11 * IMAGE_SIZE + 11]).toBeCloseTo(0.5, 6);
    strokeWidth(dot, out, -1);
    expect(peak(out).sum).toBe(0);
  });

  it('agrees with tf.image.transform (bilinear, zero fill) on the wasm backend', () => {
    const m = 12;
    const batch = images(m);
    const rng = createRng(5);
    const warps = Array.from({ length: m }, () => ({
      degrees: 90 * (rng.next() - 0.5),
      factor: 0.6 + 0.8 * rng.next(),
      dx: 8 * (rng.next() - 0.5),
      dy: 8 * (rng.next() - 0.5),
    }));
    const ours = new Float32Array(m * PIXELS);
    for (const [i, w] of warps.entries()) {
      affineWarp(
        batch.subarray(i * PIXELS, (i + 1) * PIXELS),
        ours.subarray(i * PIXELS, (i + 1) * PIXELS),
        w,
      );
    }
    const theirs = tf.tidy(() =>
      tf.image
        .transform(
          tf.tensor4d(batch, [m, IMAGE_SIZE, IMAGE_SIZE, 1]),
          tf.tensor2d(warps.flatMap(affineMatrix), [m, 8]),
          'bilinear',
          'constant',
          0,
        )
        .dataSync(),
    );
    expect(tf.getBackend()).toBe('wasm');
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('keeps every value finite and in [0, 1] and the batch its size at the largest parameters', () => {
    const batch = images(32);
    const largest: Augmentation[] = [
      { kind: 'affine', rotation: 45, scale: 0.5, shift: 8 },
      { kind: 'stroke', thickness: 1 },
    ];
    const out = createAugmenter(largest, createRng(2))!.apply(batch, 32);
    expect(out.length).toBe(batch.length);
    const outside = out.filter((v) => !(Number.isFinite(v) && v >= 0 && v <= 1));
    expect(outside).toHaveLength(0);
    // Not all washed out: the images keep most of their ink.
    expect(out.reduce((a, v) => a + v, 0)).toBeGreaterThan(0.5 * batch.reduce((a, v) => a + v, 0));
  });

  it('skip() draws exactly what apply() does', () => {
    const batch = images(6);
    const a = createRng(11);
    const b = createRng(11);
    const augA = createAugmenter([AFFINE, STROKE], a)!;
    const augB = createAugmenter([AFFINE, STROKE], b)!;
    augA.apply(batch, 6);
    augB.skip(6);
    expect(augA.apply(batch, 6)).toEqual(augB.apply(batch, 6));
    expect(a.next()).toBe(b.next());
  });
});

describe('augmentation in training', () => {
  /** 4 classes × 10 images. */
  const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 4);
  const data = Uint8Array.from(images(40, 9), (v) => Math.round(v * 255));

  function recipe(pairing: 'in-batch' | 'explicit', augmentation: Augmentation[]): TrainRecipe {
    return checkRecipe({
      ...preset('mnist', 'contrastive'),
      pairing: { kind: pairing, balance: pairing === 'in-batch' },
      pairsPerEpoch: 32,
      batchSize: 16,
      augmentation,
    });
  }

  /** The arguments of every step of one epoch, with and without augmentation from the same pair stream. */
  function stepArgs(pairing: 'in-batch' | 'explicit', augmentation: Augmentation[], count: number) {
    const r = recipe(pairing, augmentation);
    const training = buildTraining(r);
    const spy = vi.mocked(pairing === 'in-batch' ? steps.trainStepInBatch : steps.trainStep);
    spy.mockClear();
    const context: EpochContext = {
      ...training,
      images: data,
      index: indexByClass(labels, [0, 1, 2, 3]),
      batchSize: r.batchSize,
      pairsPerEpoch: r.pairsPerEpoch,
      balance: r.pairing.balance,
      rng: createRng(21),
      augment: createAugmenter(augmentation, createRng(22)),
    };
    const plan = PAIRINGS.get(pairing).plan(context);
    plan.step();
    // The first step makes the optimizer's slots; later steps must leave the tensor count as it was.
    const before = tf.memory().numTensors;
    for (let s = 1; s < count; s++) plan.step();
    const leaked = tf.memory().numTensors - before;
    const calls = spy.mock.calls.map((call) => [...call] as unknown[]);
    disposeSiamese(training.model);
    training.optimizer.dispose();
    return { calls, leaked };
  }

  it('in-batch: the step gets the augmented batch, the labels unchanged, and no tensor leaks', () => {
    const plain = stepArgs('in-batch', [], 3);
    const augmented = stepArgs('in-batch', [AFFINE, STROKE], 3);
    expect(augmented.leaked).toBe(0);
    expect(augmented.calls).toHaveLength(3);
    const augmenter = createAugmenter([AFFINE, STROKE], createRng(22))!;
    augmented.calls.forEach((call, s) => {
      const original = plain.calls[s]!;
      // trainStepInBatch(model, optimizer, loss, images, labels, …)
      expect(Array.from(call[4] as ArrayLike<number>)).toEqual(Array.from(original[4] as ArrayLike<number>));
      const raw = original[3] as Float32Array;
      expect(call[3]).not.toEqual(raw);
      expect(call[3]).toEqual(augmenter.apply(raw, raw.length / PIXELS));
    });
  });

  it('explicit: both images of every pair are augmented independently, the pair labels unchanged', () => {
    const plain = stepArgs('explicit', [], 2);
    const augmented = stepArgs('explicit', [AFFINE], 2);
    expect(augmented.leaked).toBe(0);
    const augmenter = createAugmenter([AFFINE], createRng(22))!;
    augmented.calls.forEach((call, s) => {
      const original = plain.calls[s]!;
      // trainStep(model, optimizer, loss, images2n, same, threshold)
      expect(call[4]).toEqual(original[4]);
      const raw = original[3] as Float32Array;
      expect(call[3]).toEqual(augmenter.apply(raw, raw.length / PIXELS));
    });
  });
});

describe('augmentation in the recipe', () => {
  const base = () => ({ ...preset('mnist', 'contrastive') });

  it('accepts each kind in range, in order, and keeps it in the resume key', () => {
    const r = checkRecipe({ ...base(), augmentation: [AFFINE, STROKE] });
    expect(r.augmentation).toEqual([AFFINE, STROKE]);
    expect(resumeKey(r).augmentation).toEqual([AFFINE, STROKE]);
    expect('augmentation' in resumeKey(base())).toBe(false);
  });

  it.each([
    [{ kind: 'affine', rotation: 46, scale: 0, shift: 0 }, 'augmentation.0.rotation'],
    [{ kind: 'affine', rotation: 0, scale: -0.1, shift: 0 }, 'augmentation.0.scale'],
    [{ kind: 'affine', rotation: 0, scale: 0, shift: 9 }, 'augmentation.0.shift'],
    [{ kind: 'stroke', thickness: 1.5 }, 'augmentation.0.thickness'],
    [{ kind: 'elastic', alpha: 1 }, 'augmentation.0.kind'],
  ])('refuses %j, naming %s', (entry, path) => {
    let error: unknown;
    try {
      checkRecipe({ ...base(), augmentation: [entry] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as RecipeError).path).toBe(path);
    expect((error as RecipeError).message).toContain(path);
  });

  it('reads the command line’s name=value list, refusing what does not hold', () => {
    expect(parseAugmentations('none')).toEqual([]);
    expect(parseAugmentations('rotation=15,scale=0.1,shift=2')).toEqual([AFFINE]);
    expect(parseAugmentations('thickness=0.5, rotation=10')).toEqual([
      { kind: 'affine', rotation: 10, scale: 0, shift: 0 },
      STROKE,
    ]);
    expect(() => parseAugmentations('rotation=90')).toThrow(
      /rotation must be a number from 0 to 45, got '90'/,
    );
    expect(() => parseAugmentations('rotate=5')).toThrow(
      /names rotation, scale, shift, thickness; got 'rotate=5'/,
    );
    expect(() => parseAugmentations('rotation=')).toThrow(/rotation must be/);
    expect(() => parseAugmentations('rotation=5,rotation=6')).toThrow(/rotation is given twice/);
  });
});
