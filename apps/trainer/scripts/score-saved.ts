// Scores the towers `transfer-sweep --save DIR` kept, each alone and joined with the preset's, as the sweep scored
// its fits: the same validation classes, images and seeded episodes (docs/transfer.md, "Ensembles"). Raw pixels
// stand beside them. A join is two members' unit embeddings side by side, the second weighted w in the cosine:
// an ensemble read at match time, with no training.
//
//   pnpm --filter trainer score-saved -- --dataset mnist --dir DIR [--weights 0.3,0.5] [--base '{}'] [--test]
//
// --base names the member the others join, by its overrides ('{"seed":7}' for a sweep of seed 7 alone).
// --test scores the held-out classes' test images instead, for the record only (no choice reads them); it skips
// --other's towers, which were scored on the other dataset.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  embed,
  embeddingDim,
  metricSimilarity,
  prepareData,
  rawPixelSimilarity,
  type TrainRecipe,
} from '@twinnet/core';
import { initBackend, loadModelFromDir } from '@twinnet/core/node';
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

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg, i) => i > 0 || arg !== '--'),
  options: {
    dataset: { type: 'string', default: 'mnist' },
    dir: { type: 'string' },
    weights: { type: 'string', default: '0.3,0.5' },
    // The member the others are joined with, by its overrides as the sweep was given them.
    base: { type: 'string', default: '{}' },
    test: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
  },
});

/** The flags, checked before anything loads: the joins' weights and --base's overrides. */
function checkedFlags() {
  if (!values.dir) throw new Error('--dir: expected the folder a transfer-sweep --save wrote');
  const weights = (values.weights ?? '').split(',').map(Number);
  if (weights.some((w) => !(w > 0 && w < 1)))
    throw new Error(`--weights ${values.weights}: expected numbers between 0 and 1, comma-separated`);
  let base: string;
  try {
    base = JSON.stringify(JSON.parse(values.base!));
  } catch {
    throw new Error(`--base ${values.base}: expected the overrides of a kept tower, as JSON`);
  }
  return { dir: values.dir, weights, base };
}

let flags: ReturnType<typeof checkedFlags>;
try {
  flags = checkedFlags();
} catch (error) {
  console.error(`score-saved: ${(error as Error).message}`);
  process.exit(2);
}
await initBackend('auto', { log: () => {}, nativeThreads: Number(values.threads) });
const dataset = await loadDataset(values.dataset as Dataset['name']);

/** A kept tower: its folder, the overrides it trained with and its sweep row. */
interface Member {
  dir: string;
  text: string;
  row: { validationClasses?: number[] };
}

/**
 * The kept towers of this dataset by what they were scored on, --base's first: a fold's validation classes
 * ('1,2,4'), or 'other'. By the classes, not the folder's fold number, since a --folds sweep and a --classes sweep
 * saved in one folder both number theirs from 0: a tower is never scored on classes it trained on.
 */
async function savedGroups(dir: string): Promise<Map<string, Member[]>> {
  const groups = new Map<string, Member[]>();
  const names = await readdir(dir).catch(() => {
    throw new Error(`--dir ${dir}: no such folder (expected the folder a transfer-sweep --save wrote)`);
  });
  for (const name of names.filter((n) => n.startsWith(`${dataset.name}-`)).sort()) {
    const row = JSON.parse(await readFile(join(dir, name, 'sweep.json'), 'utf8'));
    const member = { dir: join(dir, name), text: JSON.stringify(row.overrides), row };
    const group = name.endsWith('-other') ? 'other' : `classes ${row.validationClasses}`;
    groups.set(group, [...(groups.get(group) ?? []), member]);
  }
  for (const [group, members] of groups) {
    if (!members.some((m) => m.text === flags.base))
      throw new Error(
        `--base ${values.base}: ${group} has no such tower (it has ${members.map((m) => m.text)})`,
      );
    members.sort((a, b) => Number(b.text === flags.base) - Number(a.text === flags.base));
  }
  return groups;
}

/** Rows of `a` and `b`, each scaled to unit length, side by side with weights √(1 − w) and √w. */
function joinUnit(a: Float32Array, da: number, b: Float32Array, db: number, w: number): Float32Array {
  const n = a.length / da;
  const out = new Float32Array(n * (da + db));
  const put = (from: Float32Array, d: number, i: number, at: number, scale: number) => {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += from[i * d + k]! ** 2;
    const s = scale / Math.sqrt(sum || 1);
    for (let k = 0; k < d; k++) out[at + k] = s * from[i * d + k]!;
  };
  for (let i = 0; i < n; i++) {
    put(a, da, i, i * (da + db), Math.sqrt(1 - w));
    put(b, db, i, i * (da + db) + da, Math.sqrt(w));
  }
  return out;
}

/** Each member's embeddings of `images`, then the first (--base) joined with each other at each weight. */
async function variants(members: Member[], images: Uint8Array) {
  const alone = [];
  for (const m of members) {
    const tower = await loadModelFromDir(join(m.dir, 'tower'));
    alone.push({ name: m.text, e: embed(tower, images), dim: embeddingDim(tower) });
    tower.dispose();
  }
  const [base, ...others] = alone;
  const joined = others.flatMap((o) =>
    flags.weights.map((w) => ({
      name: `${base!.name} + ${o.name} at w ${w}`,
      e: joinUnit(base!.e, base!.dim, o.e, o.dim, w),
      dim: base!.dim + o.dim,
    })),
  );
  return [...alone, ...joined];
}

function report(where: string, name: string, shots: number[], auroc: number[]) {
  const open = auroc.length ? `, open-set AUROC ${auroc.map((a) => a.toFixed(3)).join('/')}` : '';
  console.log(`${dataset.name} ${where} ${name}: 1/5-shot ${shots.map(pct).join('/')}${open}`);
}

/** A fold's members on its validation classes (or, with --test, the held-out classes' test images). */
async function scoreFold(members: Member[]) {
  const recipe: TrainRecipe = sweepRecipe(dataset.name, members[0]!.text, members[0]!.row.validationClasses!);
  const data = prepareData(recipe, { name: dataset.name, train: dataset.train, test: dataset.test });
  const split = values.test ? dataset.test : data.validation;
  const classes = values.test ? recipe.heldOutClasses : recipe.validationClasses;
  const episodes = values.test ? 1000 : 2000;
  const where = values.test ? `test ${classes} (fold of ${recipe.validationClasses})` : `fold ${classes}`;
  report(
    where,
    'raw pixels',
    wayShots(split.labels, classes, rawPixelSimilarity(split.images), episodes),
    [],
  );
  for (const v of await variants(members, split.images)) {
    const shots = wayShots(split.labels, classes, metricSimilarity(v.e, v.dim, 'cosine'), episodes);
    report(where, v.name, shots, openSet(recipe, split.labels, classes, v.e, v.dim));
  }
}

/** --other's members on every triplet of the other dataset's seen classes. */
async function scoreOther(members: Member[]) {
  const recipe = sweepRecipe(dataset.name, members[0]!.text, []);
  const { otherName, foreign, triplets } = await otherClasses(dataset.name, recipe);
  const where = `on ${otherName}'s classes (${triplets.length} triplets)`;
  report(where, 'raw pixels', tripletPixels(foreign, triplets), []);
  for (const v of await variants(members, foreign.images)) {
    const { shots, openSet } = tripletScores(recipe, foreign.labels, triplets, v.e, v.dim);
    report(where, v.name, shots, openSet);
  }
}

async function main() {
  const groups = await savedGroups(flags.dir);
  if (groups.size === 0) throw new Error(`--dir ${flags.dir}: no tower kept for ${dataset.name}`);
  for (const [group, members] of groups) {
    if (group === 'other') {
      if (!values.test) await scoreOther(members);
    } else await scoreFold(members);
  }
}

// The message alone: an uncaught error would be rethrown by the wasm backend's handler, which prints its source.
await main().catch((error: unknown) => {
  console.error(`score-saved: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
