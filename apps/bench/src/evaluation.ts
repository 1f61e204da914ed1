import {
  type BenchProtocol,
  chooseThreshold,
  createRng,
  type EpisodeResult,
  episodeAccuracy,
  indexByClass,
  type Pairs,
  type Polarity,
  pairAccuracy,
  range,
  rocAuc,
  type SimilarityFn,
  samplePairs,
  streamSeed,
} from '@twinnet/core';
import { type Split, subset } from '@twinnet/datasets';
import type { BenchData } from './data.ts';
import { PURPOSE } from './protocol.ts';

/** The short run's evaluation sets: the first images of the validation and test splits, and seeded pairs. */
export interface EvaluationSets {
  validation: Split;
  validationPairs: Pairs;
  test: Split;
  testPairs: Pairs;
}

export function evaluationSets(data: BenchData, protocol: BenchProtocol): EvaluationSets {
  const { shortRun, seed } = protocol;
  const first = (split: Split, n: number) => subset(split, range(Math.min(n, split.count)));
  const validation = first(data.validation, shortRun.validationImages);
  const test = first(data.test, shortRun.testImages);
  return {
    validation,
    validationPairs: samplePairs(
      indexByClass(validation.labels),
      shortRun.validationPairs,
      createRng(streamSeed(seed, PURPOSE.validationPairs)),
    ),
    test,
    testPairs: samplePairs(
      indexByClass(test.labels),
      shortRun.testPairs,
      createRng(streamSeed(seed, PURPOSE.testPairs)),
    ),
  };
}

export interface ShortRunMetrics {
  threshold: number;
  accuracy: number;
  auc: number;
  oneShot: EpisodeResult;
}

/**
 * Metrics from a model's scores, the same for both sides: the threshold is chosen on the validation pairs and
 * applied unchanged to the test pairs; one-shot is 10-way 1-shot over the test images, with seeded episodes.
 */
export function shortRunMetrics(
  sets: EvaluationSets,
  scores: { validation: Float32Array; test: Float32Array },
  polarity: Polarity,
  similarity: SimilarityFn,
  protocol: BenchProtocol,
): ShortRunMetrics {
  const { threshold } = chooseThreshold(scores.validation, sets.validationPairs.same, polarity);
  return {
    threshold,
    accuracy: pairAccuracy(scores.test, sets.testPairs.same, threshold, polarity),
    auc: rocAuc(scores.test, sets.testPairs.same, polarity),
    oneShot: oneShot(sets, protocol, similarity),
  };
}

/** 10-way 1-shot episodes over the test images, drawn from the protocol's seed: the same on every call. */
function oneShot(sets: EvaluationSets, protocol: BenchProtocol, similarity: SimilarityFn): EpisodeResult {
  return episodeAccuracy({
    labels: sets.test.labels,
    classes: range(10),
    ways: 10,
    shots: 1,
    episodes: protocol.shortRun.episodes,
    rng: createRng(streamSeed(protocol.seed, PURPOSE.episodes)),
    similarity,
  });
}

export interface Episodes {
  /** Per episode, the query and support indices into the test images, in the order they are scored. */
  queries: Int32Array[];
  supports: Int32Array[];
}

/**
 * The episodes oneShot() scores, recorded by running it with a placeholder similarity (the draws do not depend
 * on the scores). The peer scores these with its own head; replaySimilarity feeds its scores back in order.
 */
export function drawEpisodes(sets: EvaluationSets, protocol: BenchProtocol): Episodes {
  const episodes: Episodes = { queries: [], supports: [] };
  oneShot(sets, protocol, (queries, supports) => {
    episodes.queries.push(Int32Array.from(queries));
    episodes.supports.push(Int32Array.from(supports));
    return new Float32Array(queries.length * supports.length);
  });
  return episodes;
}

/**
 * A similarity that returns consecutive slices of precomputed episode scores (row-major queries × supports: the
 * bench's episodes are 1-shot, so one support per way and no prototype to form).
 */
export function replaySimilarity(similarities: Float32Array): SimilarityFn {
  let at = 0;
  return (queries, supports, shots) => {
    if (shots !== 1) throw new Error(`the peer scores 1-shot episodes only, not ${shots}-shot`);
    const n = queries.length * supports.length;
    if (at + n > similarities.length) throw new Error('more episodes scored than similarities supplied');
    const slice = similarities.subarray(at, at + n);
    at += n;
    return slice;
  };
}
