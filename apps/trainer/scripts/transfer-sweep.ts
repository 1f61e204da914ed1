// Trains recipe variants of a hold-out preset and prints how each transfers to classes it never saw. What a
// choice may look at: the validation classes (kept out of this fit), their N-way 1-shot after every epoch and at
// the end N-way 1- and 5-shot and open-set AUROC at 1 and 5 shots (all but one class with supports). For the
// record only (no choice reads them): the held-out classes' 3-way 1- and 5-shot and open-set AUROC on test
// images, beside raw pixels on the same episodes. No export, no UMAP: a sweep, not a run.
//
//   pnpm --filter trainer transfer-sweep -- --dataset mnist --folds 3 --out sweep.jsonl \
//     '{"tower":{"kind":"vgg","embeddingDim":128}}' '{"loss":{"kind":"norm-softmax"},"epochs":2}'
//
// --validation-count 2 keeps two seen classes out per fold instead of the preset's three: five classes train
// each fit, nearer the final model's seven, at the price of a 2-way validation task.
//
// --other trains each recipe once on every seen class, as the final model trains, and scores it 3-way on every
// triplet of the *other* dataset's seen classes (their training split): validation classes disjoint from every
// test class, for a model with the final model's classes (docs/transfer.md, "The reference itself").
//
// --classes 2,3,5 names one fold's validation classes (repeat it for more folds, in place of --folds), e.g. the
// seen classes that raw pixels confuse most, to ask how a recipe tells look-alike new classes apart.
import { createHash } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  disposeObjective,
  disposeSiamese,
  embed,
  embeddingDim,
  type FitHooks,
  type FitResult,
  fit,
  metricSimilarity,
  prepareData,
  preset,
  rawPixelSimilarity,
  recipeStream,
  STREAM,
  seenClasses,
  shuffleInPlace,
  type TrainRecipe,
} from '@twinnet/core';
import { initBackend, saveModelToDir } from '@twinnet/core/node';
import { type Dataset, loadDataset } from '@twinnet/datasets';
import {
  openSet,
  otherClasses,
  pct,
  sweepRecipe,
  tripletPixels,
  tripletScores,
  wayShots,
} from './sweep-scores.ts';

const { values, positionals } = parseArgs({
  // pnpm passes its `--` on: options follow it.
  args: process.argv.slice(2).filter((arg, i) => i > 0 || arg !== '--'),
  allowPositionals: true,
  options: {
    dataset: { type: 'string', default: 'mnist' },
    out: { type: 'string' },
    // Selection in rotation: each fold keeps another set of seen classes out as validation classes.
    folds: { type: 'string', default: '1' },
    'first-fold': { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    // Validation classes per fold (default: as many as the preset keeps out). Fewer leave more classes to train
    // on, nearer the final model's seven; two is the least an open-set episode can use (one with supports).
    'validation-count': { type: 'string' },
    // Keeps each fit's tower, to try match-time transforms and ensembles on it later (score-saved):
    // DIR/<dataset>-<hash>-classes-1.2.4/tower, named by the fold's validation classes so that a --folds and a
    // --classes sweep into one folder never overwrite each other; DIR/<dataset>-<hash>-other with --other.
    save: { type: 'string' },
    other: { type: 'boolean', default: false },
    // One fold's validation classes, named: `--classes 2,3,5`, repeated for more folds.
    classes: { type: 'string', multiple: true },
  },
});
await initBackend('auto', { log: () => {}, nativeThreads: Number(values.threads) });
const dataset = await loadDataset(values.dataset as Dataset['name']);

/** Every class the preset may train on: its seen classes with its validation classes given back. */
const trainable = (base: TrainRecipe) => seenClasses({ ...base, validationClasses: [] }, 10);

/**
 * Fold f's validation classes, as many as the preset keeps out: the preset's own first; then the seen classes it
 * trains on, in a seeded order, taken in turn, topped up from the preset's own set when they run short (with
 * seven seen classes and three out: (1,2,4), then (0,3,6) and (1,2,5) for seed 42).
 */
function foldClasses(base: TrainRecipe, fold: number, count: number): number[] {
  const own = base.validationClasses;
  if (count !== own.length) return countedFold(base, fold, count);
  if (fold === 0) return own;
  const rest = Int32Array.from(trainable(base)).filter((c) => !own.includes(c));
  shuffleInPlace(rest, recipeStream(base.seed, STREAM.validationClasses));
  const pool = [...rest, ...own];
  return Array.from(
    { length: own.length },
    (_, i) => pool[((fold - 1) * own.length + i) % pool.length]!,
  ).sort((a, b) => a - b);
}

/** Fold f of `count` validation classes: the seen classes in a seeded order, taken `count` at a time, wrapping. */
function countedFold(base: TrainRecipe, fold: number, count: number): number[] {
  const seen = Int32Array.from(trainable(base));
  if (count < 2 || count >= seen.length)
    throw new Error(`--validation-count must be in 2..${seen.length - 1}`);
  shuffleInPlace(seen, recipeStream(base.seed, STREAM.validationClasses));
  return Array.from({ length: count }, (_, i) => seen[(fold * count + i) % seen.length]!).sort(
    (a, b) => a - b,
  );
}

/** --classes' folds: each a list of two or more distinct seen classes, leaving at least two to train on. */
function namedFolds(base: TrainRecipe, lists: readonly string[]): number[][] {
  const seen = trainable(base);
  return lists.map((list) => {
    const classes = list.split(',').map((c) => Number(c.trim()));
    const bad = classes.find((c) => !seen.includes(c));
    if (bad !== undefined || list.trim() === '')
      throw new Error(
        `--classes ${list}: expected seen class ids (${seen.join(', ')}), got ${bad ?? 'nothing'}`,
      );
    if (new Set(classes).size !== classes.length)
      throw new Error(`--classes ${list}: a class is named twice`);
    if (classes.length < 2 || classes.length > seen.length - 2)
      throw new Error(`--classes ${list}: expected 2 to ${seen.length - 2} classes, got ${classes.length}`);
    return classes.sort((a, b) => a - b);
  });
}

/** A sweep recipe, fitted. */
async function train(recipe: TrainRecipe, hooks: FitHooks = {}) {
  const data = prepareData(recipe, { name: dataset.name, train: dataset.train, test: dataset.test });
  const started = performance.now();
  const result = await fit(recipe, data, hooks);
  return { recipe, data, result, seconds: (performance.now() - started) / 1000 };
}

function release(result: FitResult) {
  disposeSiamese(result.model);
  result.optimizer.dispose();
  disposeObjective(result.objective);
}

/**
 * --other: the recipe trained on every seen class, scored 3-way at 1 and 5 shots (600 episodes) and by open-set
 * AUROC (300) on every triplet of the other dataset's seen classes, training split; the mean over triplets,
 * beside raw pixels on the same episodes.
 */
async function acrossDatasets(text: string) {
  const recipe = sweepRecipe(dataset.name, text, []);
  // The other dataset's classes are read by this recipe's seen ids: refused unless both hold out the same ids.
  const { otherName, seen, foreign, triplets } = await otherClasses(dataset.name, recipe);
  const { result, seconds } = await train(recipe);
  const dim = embeddingDim(result.model.readout);
  const e = embed(result.model.readout, foreign.images);
  const row = {
    dataset: dataset.name,
    other: otherName,
    overrides: JSON.parse(text),
    ...tripletScores(recipe, foreign.labels, triplets, e, dim),
    pixels: tripletPixels(foreign, triplets),
    seconds,
  };
  console.log(
    `${dataset.name} ${text} on ${otherName}'s classes ${seen} (${triplets.length} triplets): 1/5-shot ` +
      `${row.shots.map(pct).join('/')} (pixels ${row.pixels.map(pct).join('/')}), open-set AUROC ` +
      `${row.openSet.map((a) => a.toFixed(3)).join('/')} | ${seconds.toFixed(0)} s`,
  );
  if (values.out) await appendFile(values.out, `${JSON.stringify(row)}\n`);
  await keep(result, text, 'other', row);
  release(result);
}

/** --save: the fit's tower and its sweep row, in DIR/<dataset>-<hash of the overrides>-<suffix>. */
async function keep(result: FitResult, text: string, suffix: string, row: object) {
  if (!values.save) return;
  const name = `${dataset.name}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}-${suffix}`;
  await saveModelToDir(result.model.readout, join(values.save, name, 'tower'));
  await writeFile(join(values.save, name, 'sweep.json'), `${JSON.stringify(row)}\n`);
}

/** The folds' validation classes: named by --classes, or --folds of them in rotation from --first-fold. */
function sweepFolds(): { fold: number; classes: number[] }[] {
  const base = preset(dataset.name, 'metric', true);
  if (values.classes) return namedFolds(base, values.classes).map((classes, fold) => ({ fold, classes }));
  const count = Number(values['validation-count'] ?? base.validationClasses.length);
  const first = Number(values['first-fold']);
  return Array.from({ length: Number(values.folds) }, (_, f) => ({
    fold: first + f,
    classes: foldClasses(base, first + f, count),
  }));
}

/** Fold `fold` of recipe `text`: its validation classes kept out and scored; the test classes for the record. */
async function sweepFold(text: string, fold: number, validationClasses: number[]) {
  const curve: number[] = [];
  const recipe = sweepRecipe(dataset.name, text, validationClasses);
  const { data, result, seconds } = await train(recipe, {
    onEpoch: (r) => {
      curve.push(r.valTransfer?.accuracy ?? Number.NaN);
      console.error(`${text} fold ${fold} epoch ${r.epoch}: validation ${pct(curve.at(-1)!)}%`);
    },
  });
  const dim = embeddingDim(result.model.readout);
  const valClasses = recipe.validationClasses;
  const v = embed(result.model.readout, data.validation.images);
  const t = embed(result.model.readout, dataset.test.images);
  const row = {
    dataset: dataset.name,
    overrides: JSON.parse(text),
    validationClasses: valClasses,
    validation: curve,
    validationShots: wayShots(data.validation.labels, valClasses, metricSimilarity(v, dim, 'cosine'), 2000),
    validationOpenSet: openSet(recipe, data.validation.labels, valClasses, v, dim),
    unseen: {
      cosine: wayShots(dataset.test.labels, recipe.heldOutClasses, metricSimilarity(t, dim, 'cosine'), 1000),
      pixels: wayShots(
        dataset.test.labels,
        recipe.heldOutClasses,
        rawPixelSimilarity(dataset.test.images),
        1000,
      ),
      openSet: openSet(recipe, dataset.test.labels, recipe.heldOutClasses, t, dim),
    },
    seconds,
  };
  console.log(
    `${dataset.name} ${text} fold ${valClasses}: validation ${curve.map(pct).join(' → ')}, 1/5-shot ` +
      `${row.validationShots.map(pct).join('/')}, open-set AUROC ${row.validationOpenSet.map((a) => a.toFixed(3)).join('/')}` +
      ` | unseen ${row.unseen.cosine.map(pct).join('/')} (pixels ${row.unseen.pixels.map(pct).join('/')}), AUROC ` +
      `${row.unseen.openSet.map((a) => a.toFixed(3)).join('/')} | ${seconds.toFixed(0)} s`,
  );
  if (values.out) await appendFile(values.out, `${JSON.stringify(row)}\n`);
  await keep(result, text, `classes-${valClasses.join('.')}`, row);
  release(result);
}

async function main() {
  if (values.other && values.classes)
    throw new Error('--classes names folds, and --other trains without them');
  // Folds are checked before anything trains, so a mistyped --classes costs nothing.
  const folds = values.other ? [] : sweepFolds();
  for (const text of positionals.length ? positionals : ['{}']) {
    // With --other a recipe trains once, on every seen class: no folds.
    if (values.other) await acrossDatasets(text);
    else for (const { fold, classes } of folds) await sweepFold(text, fold, classes);
  }
}

// The message alone: an uncaught error would be rethrown by the wasm backend's handler, which prints its source.
await main().catch((error: unknown) => {
  console.error(`transfer-sweep: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
