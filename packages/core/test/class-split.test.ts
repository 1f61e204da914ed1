import { describe, expect, it } from 'vitest';
import { prepareData } from '../src/train/data.ts';
import { preset } from '../src/train/presets.ts';
import {
  checkRecipe,
  RecipeError,
  refitRecipe,
  resumeKey,
  seenClasses,
  type TrainRecipe,
} from '../src/train/recipe.ts';

const PIXELS = 28 * 28;

/** A labelled split whose every image carries its own index in its first pixels, to trace where it went. */
function traced(count: number, classes: number, offset: number) {
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = (i * 7 + 3) % classes;
    const id = offset + i;
    images[i * PIXELS] = id & 255;
    images[i * PIXELS + 1] = (id >> 8) & 255;
    images[i * PIXELS + 2] = (id >> 16) & 255;
  }
  return { images, labels, count, rows: 28, cols: 28 };
}

const idOf = (images: Uint8Array, i: number) =>
  images[i * PIXELS]! | (images[i * PIXELS + 1]! << 8) | (images[i * PIXELS + 2]! << 16);

const ids = (split: { images: Uint8Array; count: number }) =>
  new Set(Array.from({ length: split.count }, (_, i) => idOf(split.images, i)));

function transferRecipe(overrides: Partial<TrainRecipe> = {}): TrainRecipe {
  return checkRecipe(
    { ...preset('mnist', 'contrastive', true), validationClasses: [5, 6], ...overrides },
    10,
  );
}

describe('class-disjoint split', () => {
  const dataset = { name: 'mnist', train: traced(3000, 10, 0), test: traced(1000, 10, 100_000) };

  it('trains on neither held-out nor validation classes, and validates on validation classes only', () => {
    for (const seed of [1, 42, 7777]) {
      const recipe = transferRecipe({ seed, data: { trainSize: 1200, validationFraction: 0.1 } });
      const data = prepareData(recipe, dataset);
      const trainLabels = new Set(data.train.labels);
      for (const c of [...recipe.heldOutClasses, ...recipe.validationClasses])
        expect(trainLabels.has(c)).toBe(false);
      expect([...trainLabels].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(data.classes).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(data.validation.labels)).toEqual(new Set([5, 6]));
      expect(data.validationClasses).toEqual([5, 6]);
    }
  });

  it('never lets a test image, or any image of a held-out class, into training or validation', () => {
    const recipe = transferRecipe();
    const data = prepareData(recipe, dataset);
    const testIds = ids(dataset.test);
    for (const split of [data.train, data.validation]) {
      for (const id of ids(split)) expect(testIds.has(id)).toBe(false);
      for (const label of split.labels) expect(recipe.heldOutClasses).not.toContain(label);
    }
    // Training and validation images are disjoint too: validation classes are never trained on.
    const trainIds = ids(data.train);
    for (const id of ids(data.validation)) expect(trainIds.has(id)).toBe(false);
    // Every training-split image of a validation class serves validation.
    const expected = dataset.train.labels.filter((l) => l === 5 || l === 6).length;
    expect(data.validation.count).toBe(expected);
  });

  it('keeps the old split when there are no validation classes', () => {
    const recipe = checkRecipe(preset('mnist', 'contrastive', true), 10);
    const data = prepareData(recipe, dataset);
    expect(data.validationClasses).toBeUndefined();
    expect(new Set(data.validation.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    const trainIds = ids(data.train);
    for (const id of ids(data.validation)) expect(trainIds.has(id)).toBe(false);
  });

  it('refuses validation classes that overlap the held-out ones, repeat, are alone or leave too little', () => {
    const cases: [number[], RegExp][] = [
      [[6, 7], /cannot be both held out and a validation class/],
      [[5, 5], /repeat/],
      [[5], /at least 2/],
      [[0, 1, 2, 3, 4, 5], /leave at least 2 classes to train on/],
      [[5, 10], /does not exist/],
    ];
    for (const [validationClasses, message] of cases) {
      let error: unknown;
      try {
        transferRecipe({ validationClasses });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecipeError);
      expect((error as RecipeError).path).toBe('validationClasses');
      expect((error as Error).message).toMatch(message);
    }
  });

  it('counts validation classes out of the classes trained on', () => {
    expect(seenClasses(transferRecipe(), 10)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refits on the validation classes too, and still on no held-out class nor test image', () => {
    const recipe = transferRecipe({ refit: true });
    const final = refitRecipe(recipe);
    expect(final).toMatchObject({ validationClasses: [], refit: false, heldOutClasses: [7, 8, 9] });
    expect(seenClasses(final, 10)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const data = prepareData(final, dataset);
    expect(new Set(data.train.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    const testIds = ids(dataset.test);
    for (const id of ids(data.train)) expect(testIds.has(id)).toBe(false);
    // The selection fit and the refit resume from their own checkpoints: their keys differ.
    expect(resumeKey(recipe)).toMatchObject({ refit: true, validationClasses: [5, 6] });
    expect(resumeKey(final)).not.toHaveProperty('refit');
    expect(() => refitRecipe(final)).toThrow(/does not refit/);
    let error: unknown;
    try {
      transferRecipe({ refit: true, validationClasses: [] });
    } catch (e) {
      error = e;
    }
    expect((error as RecipeError).path).toBe('refit');
    // The transfer preset's hold-out runs refit; the seed reproductions do not.
    expect(preset('mnist', 'metric', true)).toMatchObject({ refit: true, validationClasses: [1, 2, 4] });
    expect(preset('mnist', 'contrastive', true).refit).toBe(false);
  });
});
