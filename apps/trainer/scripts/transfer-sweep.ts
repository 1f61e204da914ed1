// Trains recipe variants of a hold-out preset and prints how each transfers to classes it never saw: the
// validation classes' N-way 1-shot after every epoch (what a choice may look at), then the held-out classes'
// 3-way 1- and 5-shot on test images by cosine and by Euclidean distance, beside raw pixels on the same
// episodes (for the record only: no choice reads them). No export, no UMAP: a sweep, not a run.
//
//   pnpm --filter trainer transfer-sweep -- --dataset mnist --out sweep.jsonl \
//     '{"loss":{"kind":"supcon"}}' '{"loss":{"kind":"multi-similarity"},"epochs":2}'
import { appendFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  checkRecipe,
  embed,
  embeddingDim,
  episodeAccuracy,
  fit,
  metricSimilarity,
  prepareData,
  preset,
  type RecipeOverrides,
  rawPixelSimilarity,
  recipeStream,
  type SimilarityFn,
  STREAM,
  seenClasses,
  shuffleInPlace,
  type TrainRecipe,
  withOverrides,
} from '@twinnet/core';
import { initBackend } from '@twinnet/core/node';
import { type Dataset, loadDataset } from '@twinnet/datasets';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dataset: { type: 'string', default: 'mnist' },
    out: { type: 'string' },
    // Selection in rotation: each fold keeps another pair of seen classes out as validation classes.
    folds: { type: 'string', default: '1' },
    'first-fold': { type: 'string', default: '0' },
  },
});
await initBackend('auto', { log: () => {} });
const dataset = await loadDataset(values.dataset as Dataset['name']);

/** Fold f's validation classes: the preset's own pair first, then further disjoint pairs of a seeded shuffle. */
function foldClasses(base: TrainRecipe, fold: number): number[] {
  if (fold === 0) return base.validationClasses;
  const rest = Int32Array.from(seenClasses({ ...base, validationClasses: [] }, 10)).filter(
    (c) => !base.validationClasses.includes(c),
  );
  shuffleInPlace(rest, recipeStream(base.seed, STREAM.validationClasses));
  return Array.from(rest.subarray(2 * (fold - 1), 2 * fold)).sort((a, b) => a - b);
}

const folds = Number(values.folds);
for (const [text, fold] of (positionals.length ? positionals : ['{}']).flatMap((t) =>
  Array.from({ length: folds }, (_, f) => [t, f + Number(values['first-fold'])] as const),
)) {
  const base = preset(dataset.name, 'metric', true);
  const overrides = { ...(JSON.parse(text) as RecipeOverrides), validationClasses: foldClasses(base, fold) };
  const recipe = checkRecipe(withOverrides(base, overrides, 10), 10);
  const data = prepareData(recipe, { name: dataset.name, train: dataset.train, test: dataset.test });
  const curve: number[] = [];
  const started = performance.now();
  const result = await fit(recipe, data, {
    onEpoch: (r) => {
      curve.push(r.valTransfer?.accuracy ?? Number.NaN);
      console.error(`${text} epoch ${r.epoch}: validation ${(100 * curve.at(-1)!).toFixed(1)}%`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const e = embed(result.model.tower, dataset.test.images);
  const dim = embeddingDim(result.model.tower);
  const similarities: Record<string, SimilarityFn> = {
    cosine: metricSimilarity(e, dim, 'cosine'),
    euclidean: metricSimilarity(e, dim, 'euclidean'),
    pixels: rawPixelSimilarity(dataset.test.images),
  };
  const unseen = Object.fromEntries(
    Object.entries(similarities).map(([name, similarity]) => [
      name,
      [1, 5].map(
        (shots) =>
          episodeAccuracy({
            labels: dataset.test.labels,
            classes: recipe.heldOutClasses,
            ways: recipe.heldOutClasses.length,
            shots,
            episodes: recipe.evaluation.episodes,
            rng: recipeStream(recipe.seed, shots === 1 ? STREAM.unseenOneShot : STREAM.unseenFiveShot),
            similarity,
          }).accuracy,
      ),
    ]),
  );
  const row = {
    dataset: dataset.name,
    overrides: JSON.parse(text),
    validationClasses: recipe.validationClasses,
    validation: curve,
    unseen,
    seconds,
  };
  const pct = (x: number) => (100 * x).toFixed(1);
  console.log(
    `${dataset.name} ${text} fold ${recipe.validationClasses}: validation ${curve.map(pct).join(' → ')} | unseen cosine ${unseen.cosine!.map(pct).join('/')}` +
      ` euclidean ${unseen.euclidean!.map(pct).join('/')} pixels ${unseen.pixels!.map(pct).join('/')} | ${seconds.toFixed(0)} s`,
  );
  if (values.out) await appendFile(values.out, `${JSON.stringify(row)}\n`);
}
