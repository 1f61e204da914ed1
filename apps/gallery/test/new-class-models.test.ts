// Which run the new-class demo starts with: the dataset's transfer run, whatever else is published.
import { describe, expect, it } from 'vitest';
import {
  initialModel,
  type NewClassModel,
  rankNewClassModels,
  unseenClasses,
} from '../src/lib/new-class-models.ts';

const model = (
  run: string,
  variant: string,
  heldOutClasses: number[] = [],
  validationClasses: number[] = [],
) => ({ run, variant, heldOutClasses, validationClasses, compares: '' }) satisfies NewClassModel;

const HOLDOUT = [7, 8, 9];
const runs = [
  model('mnist-bce', 'bce'),
  model('mnist-contrastive-holdout', 'contrastive', HOLDOUT),
  model('mnist-contrastive', 'contrastive'),
  model('mnist-metric', 'metric'),
  model('mnist-bce-holdout', 'bce', HOLDOUT),
  model('mnist-metric-holdout', 'metric', HOLDOUT, [2, 4]),
  model('mnist-metric-ms-holdout', 'metric', HOLDOUT, [2, 4]),
];
const order = (list: NewClassModel[]) => rankNewClassModels('mnist', list).map((m) => m.run);

describe('the new-class demo’s models', () => {
  it('puts the metric hold-out run first, then the metric run on all classes, then the others', () => {
    expect(order(runs)).toEqual([
      'mnist-metric-holdout',
      'mnist-metric',
      'mnist-metric-ms-holdout',
      'mnist-contrastive-holdout',
      'mnist-bce-holdout',
      'mnist-bce',
      'mnist-contrastive',
    ]);
  });

  it('prefers the metric run on all classes over the contrastive hold-out run', () => {
    const withoutHoldout = runs.filter((m) => m.run !== 'mnist-metric-holdout');
    expect(order(withoutHoldout)[0]).toBe('mnist-metric');
  });

  it('falls back to the contrastive hold-out run, then other hold-out runs, without metric runs', () => {
    const seeds = runs.filter((m) => m.variant !== 'metric');
    expect(order(seeds)[0]).toBe('mnist-contrastive-holdout');
    expect(order(seeds.filter((m) => m.run !== 'mnist-contrastive-holdout'))[0]).toBe('mnist-bce-holdout');
  });

  it('starts with ?model= when it names one of the runs, else the first', () => {
    const ranked = rankNewClassModels('mnist', runs);
    expect(initialModel(ranked, 'mnist-bce-holdout')).toBe('mnist-bce-holdout');
    expect(initialModel(ranked, 'fashion-mnist-metric')).toBe('mnist-metric-holdout');
    expect(initialModel(ranked, null)).toBe('mnist-metric-holdout');
    expect(initialModel([], null)).toBeUndefined();
  });

  it('offers the held-out classes, then the validation classes', () => {
    expect(unseenClasses(model('r', 'metric', HOLDOUT, [4, 2, 8]))).toEqual([7, 8, 9, 4, 2]);
    expect(unseenClasses(model('r', 'bce'))).toEqual([]);
  });
});
