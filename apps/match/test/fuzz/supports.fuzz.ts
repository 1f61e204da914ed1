import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSiamese } from '@twinnet/core';
import { initBackend, Matcher } from '@twinnet/core/node';
import { damagedJson, type FuzzSpec } from '@twinnet/fuzz';

// A matcher over a small untrained tower, as `pnpm match --supports FILE` has one: the saved supports must come
// from this very model, so the valid text is the one it saves.
await initBackend('cpu', { log: () => {} });
const model = buildSiamese({ tower: 'small', head: 'distance', embeddingDim: 4, headHidden: 4, seed: 1 });
const matcher = await Matcher.fromModel(model.tower, { run: 'fuzz', dataset: 'mnist', threshold: 0.5 });
const digit = Uint8Array.from(
  { length: 784 },
  (_, i) => ((i * 37) % 255) * (i % 28 > 8 && i % 28 < 20 ? 1 : 0),
);
matcher.add('alpha', digit);
matcher.add(
  'beta',
  digit.map((v) => 255 - v),
);
const valid = matcher.supports();
matcher.clear();

const file = join(mkdtempSync(join(tmpdir(), 'twinnet-fuzz-supports-')), 'gallery.json');

const spec: FuzzSpec<string> = {
  kind: 'supports JSON',
  arbitrary: damagedJson(valid),
  run: async (text) => {
    writeFileSync(file, text);
    try {
      await matcher.loadSupports(file);
    } finally {
      matcher.clear();
    }
  },
  isRefusal: (error) =>
    error instanceof Error && error.constructor === Error && error.message.startsWith(`${file}: `),
  describe: (text) => JSON.stringify(text.slice(0, 160)),
};
export default spec;
