import {
  type BenchProtocol,
  createRng,
  disposeSiamese,
  embed,
  embeddingSimilarity,
  fit,
  scoreWithObjective,
  streamSeed,
  type Variant,
} from '@twinnet/core';
import type { BenchData } from '../data.ts';
import { pairsDigest } from '../digest.ts';
import { evaluationSets, type ShortRunMetrics, shortRunMetrics } from '../evaluation.ts';
import { PURPOSE } from '../protocol.ts';
import { shortRunRecipe, trainingClasses } from '../recipe.ts';

export interface ShortRunRaw extends ShortRunMetrics {
  variant: Variant;
  trainSeconds: number;
  testLoss: number;
  validationDigest: string;
  testDigest: string;
}

/**
 * The short-run recipe (one epoch of the budget's explicit pairs) through core's fit, then the metrics. The pairs
 * come from the bench's own stream, the one the PyTorch peer draws from; no validation data, so fit does not
 * validate after the epoch.
 */
export async function shortRun(
  data: BenchData,
  variant: Variant,
  protocol: BenchProtocol,
): Promise<ShortRunRaw> {
  const recipe = shortRunRecipe(variant, protocol);
  const { model, optimizer, objective, state } = await fit(
    recipe,
    { train: data.train, classes: trainingClasses(recipe) },
    { epochRng: () => createRng(streamSeed(protocol.seed, PURPOSE.shortRunPairs)) },
  );
  const sets = evaluationSets(data, protocol);
  const score = (
    images: Uint8Array,
    labels: Uint8Array,
    pairs: typeof sets.testPairs,
    embeddings = embed(model.readout, images),
  ) => scoreWithObjective(model, objective, { images, labels, embeddings }, pairs);
  const validation = score(sets.validation.images, sets.validation.labels, sets.validationPairs);
  const testEmbeddings = embed(model.readout, sets.test.images);
  const test = score(sets.test.images, sets.test.labels, sets.testPairs, testEmbeddings);
  const metrics = shortRunMetrics(
    sets,
    { validation: validation.scores, test: test.scores },
    model.polarity,
    embeddingSimilarity(model, testEmbeddings),
    protocol,
  );
  disposeSiamese(model);
  optimizer.dispose();
  return {
    variant,
    trainSeconds: state.seconds,
    testLoss: test.loss,
    validationDigest: pairsDigest(sets.validationPairs),
    testDigest: pairsDigest(sets.testPairs),
    ...metrics,
  };
}
