import {
  type BenchProtocol,
  buildSiamese,
  createOptimizer,
  createRng,
  embed,
  embeddingSimilarity,
  indexByClass,
  lossFor,
  scoreEmbeddedPairs,
  trainEpoch,
} from '@twinnet/core';
import type { Variant } from 'trainer/presets';
import type { BenchData } from '../data.ts';
import { pairsDigest } from '../digest.ts';
import { evaluationSets, type ShortRunMetrics, shortRunMetrics } from '../evaluation.ts';
import { PURPOSE, seedFor } from '../protocol.ts';
import { recipeOf } from '../recipe.ts';

export interface ShortRunRaw extends ShortRunMetrics {
  variant: Variant;
  trainSeconds: number;
  testLoss: number;
  validationDigest: string;
  testDigest: string;
}

/** A fixed budget of explicit pairs in one epoch at the preset's recipe (constant rate), then the metrics. */
export async function shortRun(
  data: BenchData,
  variant: Variant,
  protocol: BenchProtocol,
): Promise<ShortRunRaw> {
  const recipe = recipeOf(variant);
  const model = buildSiamese({
    tower: recipe.tower,
    head: recipe.head,
    embeddingDim: recipe.embeddingDim,
    seed: protocol.seed,
  });
  const optimizer = createOptimizer(recipe.optimizer, recipe.learningRate);
  const loss = lossFor(recipe.head, { margin: recipe.margin });
  const stats = await trainEpoch(model, {
    images: data.train.images,
    index: indexByClass(data.train.labels),
    pairsPerEpoch: protocol.shortRun.pairs[variant],
    batchSize: recipe.batchSize,
    optimizer,
    loss,
    rng: createRng(seedFor(protocol.seed, PURPOSE.shortRunPairs)),
    threshold: recipe.head === 'distance' ? recipe.margin / 2 : 0,
    mode: { kind: 'explicit' },
  });
  const sets = evaluationSets(data, protocol);
  const validation = scoreEmbeddedPairs(
    model,
    embed(model.tower, sets.validation.images),
    sets.validationPairs,
    loss,
  );
  const testEmbeddings = embed(model.tower, sets.test.images);
  const test = scoreEmbeddedPairs(model, testEmbeddings, sets.testPairs, loss);
  const metrics = shortRunMetrics(
    sets,
    { validation: validation.scores, test: test.scores },
    model.polarity,
    embeddingSimilarity(model, testEmbeddings),
    protocol,
  );
  model.pair.dispose();
  optimizer.dispose();
  return {
    variant,
    trainSeconds: stats.seconds,
    testLoss: test.loss,
    validationDigest: pairsDigest(sets.validationPairs),
    testDigest: pairsDigest(sets.testPairs),
    ...metrics,
  };
}
