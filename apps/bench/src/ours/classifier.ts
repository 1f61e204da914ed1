import type * as tf from '@tensorflow/tfjs';
import {
  type BenchProtocol,
  buildTraining,
  createRng,
  disposeObjective,
  disposeSiamese,
  type EpochPlan,
  embed,
  indexByClass,
  type Objective,
  PAIRINGS,
  type SiameseModel,
  streamSeed,
} from '@twinnet/core';
import type { BenchData } from '../data.ts';
import { PURPOSE } from '../protocol.ts';
import { classifierRecipe } from '../recipe.ts';
import { type Seconds, timed } from '../timing.ts';

/**
 * The classifier workload, timed one round at a time like ThroughputSession: the vgg tower trained by the cosine
 * classifier (normalised softmax over a learnt proxy per class) on P×K batches, each step core's in-batch pairing
 * with a batch loss (draw 7 classes × 32 images, gather, trainStepBatch: the tower through applyTower's fused batch
 * norm + ReLU kernels, the loss, Adam on the tower's weights and the proxies). Rates count images.
 */
export class ClassifierSession {
  readonly towerParameters: number;
  private readonly model: SiameseModel;
  private readonly optimizer: tf.Optimizer;
  private readonly objective: Objective;
  private readonly plan: EpochPlan;
  private readonly workload: NonNullable<BenchProtocol['classifier']>;
  private readonly batchSize: number;
  private nextEmbed = 0;

  constructor(
    private readonly data: BenchData,
    private readonly protocol: BenchProtocol,
  ) {
    const recipe = classifierRecipe(protocol);
    this.workload = protocol.classifier!;
    this.batchSize = recipe.batchSize;
    const { model, optimizer, objective, threshold } = buildTraining(recipe, this.workload.classes);
    this.model = model;
    this.optimizer = optimizer;
    this.objective = objective;
    this.plan = PAIRINGS.get(recipe.pairing.kind).plan({
      model,
      optimizer,
      objective,
      images: data.train.images,
      index: indexByClass(data.train.labels, this.workload.classes),
      batchSize: recipe.batchSize,
      pairsPerEpoch: recipe.pairsPerEpoch,
      balance: recipe.pairing.balance,
      rng: createRng(streamSeed(protocol.seed, PURPOSE.classifierBatches)),
      threshold,
    });
    // The tower's own weights: the class proxies are the loss's.
    this.towerParameters = model.tower.trainableWeights.reduce(
      (n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1),
      0,
    );
    for (let s = 0; s < this.workload.warmupSteps; s++) this.plan.step();
    embed(model.tower, data.train.images, this.embedIds(protocol.embedBatchSize), protocol.embedBatchSize);
  }

  /** Images one training round (steps × the batch) and one embedding round process. */
  get units(): { train: number; embed: number } {
    return {
      train: this.batchSize * this.workload.steps,
      embed: this.protocol.embedBatchSize * this.workload.embedBatches,
    };
  }

  private embedIds(n: number): Int32Array {
    const start = this.nextEmbed;
    this.nextEmbed += n;
    return Int32Array.from({ length: n }, (_, i) => (start + i) % this.data.train.count);
  }

  trainRound(): Seconds {
    const steps = this.workload.steps;
    return timed(() => {
      for (let s = 0; s < steps; s++) this.plan.step();
    });
  }

  /** Inference through the tower (batch norm on its moving averages), in batches of the embedding batch size. */
  embedRound(): Seconds {
    const size = this.protocol.embedBatchSize;
    const ids = this.embedIds(this.units.embed);
    return timed(() => embed(this.model.tower, this.data.train.images, ids, size));
  }

  dispose(): void {
    disposeSiamese(this.model);
    disposeObjective(this.objective);
    this.optimizer.dispose();
  }
}
