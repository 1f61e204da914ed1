import * as tf from '@tensorflow/tfjs';
import {
  type BenchProtocol,
  buildTraining,
  createRng,
  disposeSiamese,
  type EpochPlan,
  embed,
  gatherImages,
  IMAGE_SIZE,
  indexByClass,
  PAIRINGS,
  type SiameseModel,
  streamSeed,
  type Variant,
} from '@twinnet/core';
import type { BenchData } from '../data.ts';
import { PURPOSE, throughputBudget } from '../protocol.ts';
import { throughputRecipe, trainingClasses } from '../recipe.ts';
import { type Seconds, timed } from '../timing.ts';

/**
 * One variant's model, optimizer and batches, timed one round at a time: the bench alternates our rounds with
 * the peer's so both are measured under the same load. Training steps are core's explicit pairing's (gather, tower
 * once over the 2n images, head, loss, update), over one epoch's worth of pairs drawn up front like the peer's.
 */
export class ThroughputSession {
  readonly towerParameters: number;
  private readonly model: SiameseModel;
  private readonly optimizer: tf.Optimizer;
  private readonly plan: EpochPlan;
  private readonly budget: BenchProtocol['throughput']['contrastive'];
  private nextEmbed = 0;

  constructor(
    private readonly data: BenchData,
    variant: Variant,
    private readonly protocol: BenchProtocol,
    /** Pairs per training step. */
    private readonly batchSize: number,
  ) {
    const budget = throughputBudget(protocol, variant, batchSize);
    this.budget = budget;
    const recipe = throughputRecipe(variant, protocol, batchSize);
    const { model, optimizer, objective, threshold } = buildTraining(recipe);
    this.model = model;
    this.optimizer = optimizer;
    this.plan = PAIRINGS.get(recipe.pairing.kind).plan({
      model,
      optimizer,
      objective,
      images: data.train.images,
      index: indexByClass(data.train.labels, trainingClasses(recipe)),
      batchSize,
      pairsPerEpoch: recipe.pairsPerEpoch,
      balance: recipe.pairing.balance,
      rng: createRng(streamSeed(protocol.seed, PURPOSE.throughputPairs)),
      threshold,
    });
    this.towerParameters = this.model.tower.trainableWeights.reduce(
      (n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1),
      0,
    );
    for (let s = 0; s < budget.warmupSteps; s++) this.plan.step();
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

  private embedIds(n: number): Int32Array {
    const start = this.nextEmbed;
    this.nextEmbed += n;
    return Int32Array.from({ length: n }, (_, i) => (start + i) % this.data.train.count);
  }

  trainRound(): Seconds {
    const steps = this.budget.steps;
    return timed(() => {
      for (let s = 0; s < steps; s++) this.plan.step();
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
    disposeSiamese(this.model);
    this.optimizer.dispose();
  }
}
