// A TypeScript consumer, type-checked (tsc --noEmit) against the declarations the tarballs ship: every door of
// @twinnet/core and the browser-safe ones of @twinnet/datasets, with the types a user would write down.
import {
  type BackendInfo,
  initBackend as initBrowserBackend,
  type Matcher,
  type MatchResult,
} from '@twinnet/core';
import { buildSiamese } from '@twinnet/core/model';
import { type ExportSummary, exportMatcher, initBackend, Matcher as NodeMatcher } from '@twinnet/core/node';
import { ExportedMatcherSchema, type Metrics } from '@twinnet/core/schemas';
import { preset } from '@twinnet/core/train';
import { DATASET_NAMES, type DatasetSpec } from '@twinnet/datasets/specs';

const info: BackendInfo = await initBackend('wasm');
const name: 'tensorflow' | 'wasm' | 'cpu' = info.name;
const browser: Promise<BackendInfo> = initBrowserBackend('cpu', { wasmPaths: '/wasm/' });

const matcher: Matcher = await NodeMatcher.load('matcher', { threshold: 0.5 });
matcher.add('seven', [
  new Uint8Array(784),
  { data: new Uint8ClampedArray(4 * 40 * 30), width: 40, height: 30 },
]);
const result: MatchResult = matcher.match(new Float32Array(784), { k: 2 });
const label: string = result.label;
const closeness: number | undefined = result.distance ?? result.similarity ?? result.score;
const cut: number = matcher.thresholdFor(1);
await matcher.saveSupports('supports.json');

const summary: ExportSummary = await exportMatcher('artifacts/run', 'matcher');
const bytes: number = summary.files.reduce((n, f) => n + f.bytes, 0);
const framing: 'digit' | 'fill' = ExportedMatcherSchema.parse({}).framing;
const accuracy: number | undefined = (undefined as Metrics | undefined)?.test.accuracy;
const spec: DatasetSpec['framing'] = framing;
const model = buildSiamese({ tower: 'small', head: 'cosine', embeddingDim: 8, seed: 1 });
const recipe = preset('mnist', 'metric');

console.log(name, browser, label, closeness, cut, bytes, accuracy, spec, DATASET_NAMES, model, recipe);
