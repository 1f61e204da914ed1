// The consumer tests' images (consumer/run.sh): seeded MNIST test images, which no run trained on, in the form
// the README example reads. Writes DIR/digits.json ({ supports: { label: [base64, …] }, queries: [base64, …] },
// each image 784 bytes, 28×28 bright on dark) and DIR/expected.txt (the queries' true labels, space separated,
// as the example prints its answers).
// Usage: pnpm --filter match exec tsx scripts/consumer-digits.ts DIR
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRng, range, shuffleInPlace } from '@twinnet/core';
import { loadDataset, selectClasses, subset } from '@twinnet/datasets';
import { drawSupports } from '../src/sampling.ts';

/** Three digits, five supports and four queries of each; no image is both a support and a query. */
const CLASSES = [0, 3, 7];
const SHOTS = 5;
const QUERIES_PER_CLASS = 4;

const [dir] = process.argv.slice(2).filter((a) => a !== '--');
if (dir === undefined) {
  console.error('usage: tsx scripts/consumer-digits.ts DIR');
  process.exit(2);
}
const out = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
const images = selectClasses((await loadDataset('mnist')).test, CLASSES);
// Supports from the first half of the selected test images, queries from the second.
const half = Math.floor(images.count / 2);
const halves = [range(half), range(images.count - half).map((i) => half + i)].map((ix) => subset(images, ix));
const rows = (batch: Uint8Array) =>
  Array.from({ length: batch.length / 784 }, (_, i) => Buffer.from(batch.subarray(i * 784, (i + 1) * 784)));
const supports = [...drawSupports(halves[0]!, CLASSES, SHOTS, 1)].map(([c, batch]) => ({
  label: String(c),
  images: rows(batch),
}));
const queries = [...drawSupports(halves[1]!, CLASSES, QUERIES_PER_CLASS, 2)].flatMap(([c, batch]) =>
  rows(batch).map((image) => ({ label: String(c), image })),
);
shuffleInPlace(queries, createRng(3));
const digits = {
  supports: Object.fromEntries(supports.map((s) => [s.label, s.images.map((b) => b.toString('base64'))])),
  queries: queries.map((q) => q.image.toString('base64')),
};
await writeFile(join(out, 'digits.json'), `${JSON.stringify(digits)}\n`);
await writeFile(join(out, 'expected.txt'), `${queries.map((q) => q.label).join(' ')}\n`);
console.log(`${out}: digits.json (${CLASSES.length} labels × ${SHOTS} supports, ${queries.length} queries)`);
