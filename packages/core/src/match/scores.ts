import * as tf from '@tensorflow/tfjs';
import { pairwiseDistances } from '../eval/evaluate.ts';
import type { MeasureFn } from '../eval/metrics/open-set.ts';
import { pairwiseCosine } from '../model/heads/cosine.ts';
import type { EmbeddingMetric, Metrics, OpenSet } from '../schemas/artifacts.ts';
import { type GroupScorer, groupValuesOnRows, meanDirection, meanRow } from './prototypes.ts';

export { rankLabels } from '../eval/metrics/rank.ts';

export type Polarity = Metrics['polarity'];

/**
 * What a matcher compares a query with supports by: the Euclidean distance of the embeddings, their cosine
 * similarity, or the head model's score.
 */
export type Measure = OpenSet['measure'];

/** Query × support comparison; how a run's head decides which label is closest. */
export interface Scorer extends GroupScorer {
  readonly measure: Measure;
  readonly polarity: Polarity;
}

/** About this many values per block of work, so memory stays bounded for any number of queries. */
const DISTANCES_PER_BLOCK = 4_000_000;
/** Pairs per head call: each pair holds two embeddings and the head's hidden layer, about 2 kB at d = 64. */
const PAIRS_PER_BLOCK = 8192;

/** Distance-head runs: Euclidean distances between embeddings (lower = closer). */
export const distanceScorer: Scorer = {
  measure: 'distance',
  polarity: 'lower-is-same',
  matrix: (queries, supports, dim) =>
    inBlocks(queries, supports, dim, DISTANCES_PER_BLOCK, (q, s) => pairwiseDistances(q, s)),
  // Prototypical networks' class mean.
  prototype: meanRow,
};

/** Cosine-head runs: cosine similarity of the L2-normalised embeddings, in [−1, 1] (higher = closer). */
export const cosineScorer: Scorer = {
  measure: 'similarity',
  polarity: 'higher-is-same',
  matrix: (queries, supports, dim) =>
    inBlocks(queries, supports, dim, DISTANCES_PER_BLOCK, (q, s) => pairwiseCosine(q, s)),
  // The mean direction: each support counts alike, however long its embedding.
  prototype: meanDirection,
};

/**
 * The scorer for a run's embedding metric: Euclidean distance, cosine similarity, or (metric 'head') the
 * head model's score, which needs that model.
 */
export function scorerFor(
  metric: EmbeddingMetric,
  dim: number,
  source: string,
  head?: { model: tf.LayersModel; polarity: Polarity },
): Scorer {
  if (metric === 'euclidean') return distanceScorer;
  if (metric === 'cosine') return cosineScorer;
  if (!head) throw new Error(`${source}: a run compared by its head needs the head model`);
  return headScorer(head.model, head.polarity, dim, `${source}: head`);
}

/**
 * The scorer's values between rows of `embeddings` (n × dim, row-major), by index, for each group of `shots`
 * consecutive supports: what open-set calibration and episodes sweep, on exactly the matcher's measure.
 */
export function measureOnRows(scorer: Scorer, embeddings: Float32Array, dim: number): MeasureFn {
  return groupValuesOnRows(scorer, embeddings, dim);
}

/** The input names the trainer gives the saved head model, in the order a pair model feeds them. */
export const HEAD_INPUTS = ['embedding_a', 'embedding_b'] as const;

/**
 * MLP-head runs: the head model's score of (query, support) for every pair, the query as embedding_a (as the
 * episodes the run was evaluated on). Refuses a model whose inputs are not the two embeddings.
 */
export function headScorer(head: tf.LayersModel, polarity: Polarity, dim: number, source: string): Scorer {
  // tfjs suffixes a loaded layer's name when the session already has one of that name (embedding_a_1).
  const baseName = (name: string) => name.split('/')[0]!.replace(/_\d+$/, '');
  const order = HEAD_INPUTS.map((name) => head.inputs.findIndex((input) => baseName(input.name) === name));
  const inputDims = head.inputs.map((input) => input.shape[input.shape.length - 1]);
  const output = head.outputs[0]?.shape;
  if (
    head.inputs.length !== 2 ||
    order.includes(-1) ||
    inputDims.some((d) => d !== dim) ||
    output?.[1] !== 1
  ) {
    throw new Error(
      `${source}: expected a head model with inputs ${HEAD_INPUTS.join(' and ')} of ${dim} values and one ` +
        `output per pair; got inputs ${head.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}, ` +
        `output [${output}]`,
    );
  }
  return {
    measure: 'score',
    polarity,
    matrix: (queries, supports) =>
      inBlocks(queries, supports, dim, PAIRS_PER_BLOCK, (q, s) => {
        const [m, n] = [q.shape[0], s.shape[0]];
        const inputs: tf.Tensor[] = [];
        inputs[order[0]!] = tf.reshape(tf.tile(tf.expandDims(q, 1), [1, n, 1]), [m * n, dim]);
        inputs[order[1]!] = tf.tile(s, [m, 1]);
        return tf.reshape(head.predict(inputs) as tf.Tensor, [m, n]);
      }),
  };
}

/** Runs `block` on groups of queries against all supports, about `perBlock` values at a time. */
function inBlocks(
  queries: Float32Array,
  supports: Float32Array,
  dim: number,
  perBlock: number,
  block: (q: tf.Tensor2D, s: tf.Tensor2D) => tf.Tensor,
): Float32Array {
  const n = queries.length / dim;
  const s = supports.length / dim;
  const out = new Float32Array(n * s);
  const rows = Math.max(1, Math.floor(perBlock / s));
  tf.tidy(() => {
    const all = tf.tensor2d(supports, [s, dim]);
    for (let start = 0; start < n; start += rows) {
      const end = Math.min(n, start + rows);
      tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(start * dim, end * dim), [end - start, dim]);
        out.set(block(q, all).dataSync(), start * s);
      });
    }
  });
  return out;
}
