import { preset, resumeKey } from '@twinnet/core';
import { damagedJson, type FuzzSpec } from '@twinnet/fuzz';
import { CheckpointError, checkResumeKey, parseState } from '../../src/checkpoint.ts';

const dir = '/fuzz/artifacts/.checkpoints/mnist-contrastive';
const recipe = preset('mnist', 'contrastive');
const epoch = (n: number) => ({
  epoch: n,
  trainLoss: 0.1,
  trainAccuracy: 0.9,
  valLoss: 0.1,
  valAccuracy: 0.9,
  valThreshold: 0.5,
  seconds: 10,
  pairsPerSecond: 5000,
});
/** A checkpoint stopped in epoch 3 of the contrastive preset, as saveCheckpoint writes it. */
const valid = {
  run: recipe.run,
  recipe: resumeKey(recipe),
  state: {
    epochsDone: 2,
    history: [epoch(1), epoch(2)],
    seconds: 20,
    partial: { epoch: 3, steps: 100, lossSum: 10, correct: 90, scored: 100, pairs: 6400, seconds: 2 },
  },
  savedAt: '2026-12-07T10:00:00.000Z',
};

/** A checkpoint's state.json as --resume reads it: the format, its consistency, then the settings it must share. */
const spec: FuzzSpec<string> = {
  kind: 'state.json',
  arbitrary: damagedJson(valid),
  run: (text) => checkResumeKey(dir, parseState(dir, text), recipe),
  isRefusal: (error) => error instanceof CheckpointError && error.message.startsWith(`${dir}: `),
  describe: (text) => JSON.stringify(text.slice(0, 160)),
};
export default spec;
