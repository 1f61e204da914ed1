import { MetricsSchema, parseArtifact, parseRunInfo, preset } from '@twinnet/core';
import { damagedJson, type FuzzSpec } from '@twinnet/fuzz';
import { validMetrics } from '../fixtures.ts';

const file = '/fuzz/runs/mnist-metric-holdout/metrics.json';
const valid = {
  ...validMetrics(preset('mnist', 'metric', true)),
  embedding: { normalize: 'l2', metric: 'cosine' },
  chance: { atChance: false, auc: 0.95, aucNoise: 0.017, advice: [] },
};

/** metrics.json as its two readers take it: the matcher (parseRunInfo) and the trainer's full schema. */
const spec: FuzzSpec<string> = {
  kind: 'metrics.json',
  arbitrary: damagedJson(valid),
  run: (text) => {
    parseRunInfo(text, file);
    parseArtifact(MetricsSchema, text, file);
  },
  isRefusal: (error) =>
    error instanceof Error && error.constructor === Error && error.message.startsWith(`${file}: `),
  describe: (text) => JSON.stringify(text.slice(0, 160)),
};
export default spec;
