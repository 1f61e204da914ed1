import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Matcher } from '@twinnet/core/node';
import { type Dataset, loadDataset, selectClasses } from '@twinnet/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawQueries, drawSupports } from '../src/sampling.ts';

const HELD_OUT = [7, 8, 9];
const SEEN = [0, 1, 2, 3, 4, 5, 6];

let mnist: Dataset;
let runDir: string;
let scratch: string;

/**
 * A small hold-out run made by the trainer itself (real artifacts, real validation threshold): 6,000 images
 * of classes 0–6, two epochs of 4,096 pairs. Adam gets a tiny run much further than RMSprop in that budget.
 */
beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-match-quality-'));
  const out = join(scratch, 'runs');
  // Through the trainer's public command, as a user would: apps never import one another.
  execFileSync(
    'pnpm',
    [
      ...['--silent', '--filter', 'trainer', 'train', '--', '--dataset', 'mnist', '--variant', 'contrastive'],
      ...[
        '--holdout',
        '--epochs',
        '2',
        '--pairs-per-epoch',
        '4096',
        '--batch-size',
        '32',
        '--learning-rate',
        '0.001',
      ],
      ...['--train-size', '6000', '--validation-pairs', '1000', '--test-pairs', '200', '--episodes', '20'],
      ...['--embed-points', '60', '--seed', '2', '--backend', 'wasm', '--jobs', '1', '--out', out],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  runDir = join(out, 'mnist-contrastive-holdout');
  mnist = await loadDataset('mnist');
}, 300_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('one-shot matching of held-out classes', () => {
  it('beats chance by far on unseen classes, and calls classes without support unknown more often than not', async () => {
    const unseen = selectClasses(mnist.test, HELD_OUT);
    const seen = drawQueries(selectClasses(mnist.test, SEEN), 2000, 1);
    let correct = 0;
    let unknown = 0;
    // Pooled over three seeded draws of 5 supports per class, so one unlucky draw does not decide.
    const matcher = await Matcher.load(runDir);
    for (const draw of [1, 2, 3]) {
      matcher.clear();
      // Supports from the training split: the run never trained on these classes; test images stay queries.
      for (const [c, images] of drawSupports(selectClasses(mnist.train, HELD_OUT), HELD_OUT, 5, draw)) {
        matcher.add(String(c), images);
      }
      const results = matcher.matchAll(unseen.images, { k: 1 });
      correct += results.filter((r, i) => r.ranked[0]!.label === String(unseen.labels[i])).length;
      unknown += matcher.matchAll(seen.images).filter((r) => r.unknown).length;
    }
    matcher.dispose();
    const accuracy = correct / (3 * unseen.count);
    const unknownRate = unknown / (3 * seen.count);
    console.log(
      `3-way 5-shot accuracy ${(100 * accuracy).toFixed(1)}% on ${unseen.count} unseen test images (chance 33.3%); ` +
        `${(100 * unknownRate).toFixed(1)}% of ${seen.count} seen-class queries (no support) unknown`,
    );
    expect(accuracy).toBeGreaterThan(0.5);
    expect(unknownRate).toBeGreaterThan(0.5);
  });
});
