import * as tf from '@tensorflow/tfjs';
import {
  type BenchProtocol,
  buildSiamese,
  createOptimizer,
  createRng,
  embed,
  gatherImages,
  IMAGE_SIZE,
  indexByClass,
  lossFor,
  type PairLoss,
  type Pairs,
  pairBatch,
  type SiameseModel,
  samplePairs,
  slicePairs,
  trainStep,
} from '@twinnet/core';
import type { Variant } from 'trainer/presets';
import type { BenchData } from '../data.ts';
import { PURPOSE, seedFor, throughputBudget } from '../protocol.ts';
import { recipeOf } from '../recipe.ts';
import { type Seconds, timed } from '../timing.ts';

/**
 * One variant's model, optimizer and batches, timed one round at a time: the bench alternates our rounds with
 * the peer's so both are measured under the same load. Training steps are exactly the trainer's (core's
 * trainStep: gather, tower once over the 2n images, head, loss, update).
 */
export class ThroughputSession {
  readonly towerParameters: number;
  private readonly model: SiameseModel;
  private readonly optimizer: tf.Optimizer;
  private readonly loss: PairLoss;
  private readonly pairs: Pairs;
  private readonly threshold: number;
  private readonly budget: BenchProtocol['throughput']['contrastive'];
  private nextStep = 0;
  private nextEmbed = 0;

  constructor(
    private readonly data: BenchData,
    variant: Variant,
    private readonly protocol: BenchProtocol,
    /** Pairs per training step; the trainer's batch size unless the protocol asks for others. */
    private readonly batchSize = recipeOf(variant).batchSize,
  ) {
    const recipe = recipeOf(variant);
    const budget = throughputBudget(protocol, variant, batchSize, recipe.batchSize);
    this.budget = budget;
    this.model = buildSiamese({
      tower: recipe.tower,
      head: recipe.head,
      embeddingDim: recipe.embeddingDim,
      seed: protocol.seed,
    });
    this.optimizer = createOptimizer(recipe.optimizer, recipe.learningRate);
    this.loss = lossFor(recipe.head, { margin: recipe.margin });
    this.threshold = recipe.head === 'distance' ? recipe.margin / 2 : 0;
    this.pairs = samplePairs(
      indexByClass(data.train.labels),
      batchSize * (budget.warmupSteps + budget.steps * budget.rounds),
      createRng(seedFor(protocol.seed, PURPOSE.throughputPairs)),
    );
    this.towerParameters = this.model.tower.trainableWeights.reduce(
      (n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1),
      0,
    );
    for (let s = 0; s < budget.warmupSteps; s++) this.step();
    embed(
      this.model.tower,
      data.train.images,
      this.embedIds(protocol.embedBatchSize),
      protocol.embedBatchSize,
    );
  }

  /** Pairs (train) or images (embed) one round processes. */
  get units(): { train: number; embed: number } {
    return {
      train: this.batchSize * this.budget.steps,
      embed: this.protocol.embedBatchSize * this.budget.embedBatches,
    };
  }

  private step(): void {
    const size = this.batchSize;
    const batch = slicePairs(this.pairs, this.nextStep * size, (this.nextStep + 1) * size);
    this.nextStep++;
    const images = pairBatch(this.data.train.images, batch, 0, batch.count);
    trainStep(this.model, this.optimizer, this.loss, images, batch.same, this.threshold);
  }

  private embedIds(n: number): Int32Array {
    const start = this.nextEmbed;
    this.nextEmbed += n;
    return Int32Array.from({ length: n }, (_, i) => (start + i) % this.data.train.count);
  }

  trainRound(): Seconds {
    const steps = this.budget.steps;
    return timed(() => {
      for (let s = 0; s < steps; s++) this.step();
    });
  }

  /** Inference through the tower, in batches of the protocol's embedding batch size. */
  embedRound(): Seconds {
    const size = this.protocol.embedBatchSize;
    const ids = this.embedIds(this.units.embed);
    return timed(() => embed(this.model.tower, this.data.train.images, ids, size));
  }

  /** Milliseconds per call of the pair model on one pair, tensors made from pixels and the score read back. */
  latency(): number[] {
    const { latencyWarmup, latencyCalls } = this.protocol;
    const out: number[] = [];
    const shape = [1, IMAGE_SIZE, IMAGE_SIZE, 1] as [number, number, number, number];
    for (let call = 0; call < latencyWarmup + latencyCalls; call++) {
      const started = performance.now();
      const a = tf.tensor4d(gatherImages(this.data.train.images, [2 * call]), shape);
      const b = tf.tensor4d(gatherImages(this.data.train.images, [2 * call + 1]), shape);
      const score = this.model.pair.predict([a, b]) as tf.Tensor;
      score.dataSync();
      tf.dispose([a, b, score]);
      if (call >= latencyWarmup) out.push(performance.now() - started);
    }
    return out;
  }

  dispose(): void {
    this.model.pair.dispose();
    this.optimizer.dispose();
  }
}
