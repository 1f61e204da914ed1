import { type BenchProtocol, preset, type Variant } from '@twinnet/core';

/**
 * The budgets of one bench run. The full protocol fits in under 10 minutes on 2 shared cores with the wasm
 * backend; --quick shrinks everything for development (its results are marked and never compared with full ones).
 */
export function benchProtocol(quick: boolean): BenchProtocol {
  return {
    quick,
    seed: 42,
    throughput: quick
      ? {
          contrastive: { warmupSteps: 2, steps: 4, rounds: 2, embedBatches: 2 },
          bce: { warmupSteps: 1, steps: 2, rounds: 2, embedBatches: 1 },
        }
      : {
          // Embedding rounds of about 100 ms a side: at 25 ms (6 and 3 batches) the same tower's ratio moved
          // from 0.9 to 1.5 between the sessions of one run.
          contrastive: { warmupSteps: 5, steps: 16, rounds: 5, embedBatches: 24 },
          bce: { warmupSteps: 3, steps: 6, rounds: 5, embedBatches: 8 },
        },
    // The issue's batch sizes: 16 and 128 for the small tower, 64 (the presets') for both.
    throughputBatchSizes: { contrastive: [16, 64, 128], bce: [64] },
    // The vgg tower trained by the cosine classifier on in-batch P×K batches: the 7 classes 0–6 (the transfer
    // split's training classes) × 32 images, 224 a step. A step takes about 0.6 CPU seconds on one thread.
    classifier: {
      tower: 'vgg',
      classes: [0, 1, 2, 3, 4, 5, 6],
      perClass: 32,
      ...(quick
        ? { warmupSteps: 1, steps: 1, rounds: 2, embedBatches: 1 }
        : { warmupSteps: 2, steps: 2, rounds: 5, embedBatches: 2 }),
    },
    embedBatchSize: 256,
    embedRounds: quick ? 2 : 5,
    latencyWarmup: 10,
    latencyCalls: quick ? 50 : 200,
    shortRun: {
      pairs: quick ? { contrastive: 640, bce: 256 } : { contrastive: 12_800, bce: 6_400 },
      validationImages: quick ? 500 : 2000,
      validationPairs: quick ? 1000 : 5000,
      testImages: quick ? 500 : 2000,
      testPairs: quick ? 1000 : 5000,
      episodes: quick ? 50 : 300,
    },
    tta: {
      target: 0.98,
      capSeconds: quick ? 15 : 120,
      validationPairs: quick ? 1000 : 5000,
      evalEveryPairs: quick ? 1280 : 6400,
      // Our fastest measured way to the target (each side may choose its batch and rate): the preset at twice its
      // learning rate (recipe fields, merged into the preset). Seconds to 98% at commit 5054a34, quiet machine,
      // rate 0.002 / 0.003 / 0.004 / 0.006 at batch 64: 16.8 / 14.2 / 12.6 / 11.8; batch 128 at 0.004: 16.9;
      // batch 32 at 0.004: 11.9.
      ours: { optimizer: { learningRate: 0.004 } },
      // The Keras contrastive example's recipe, which the peer follows for time to accuracy.
      peerRecipe: {
        tower: 'small',
        head: 'distance',
        embeddingDim: 10,
        optimizer: 'rmsprop',
        learningRate: 0.001,
        margin: 1,
        batchSize: 16,
        pairsPerEpoch: 30_000,
      },
    },
  };
}

/**
 * A throughput round's budget at `batchSize`: as many pairs per round (and in warm-up) as the variant's budget
 * trains at the preset's batch size, so rounds take about as long whatever the batch.
 */
export function throughputBudget(
  protocol: BenchProtocol,
  variant: Variant,
  batchSize: number,
): BenchProtocol['throughput']['contrastive'] {
  const budget = protocol.throughput[variant];
  const scale = preset('mnist', variant).batchSize / batchSize;
  return {
    ...budget,
    warmupSteps: Math.max(1, Math.round(budget.warmupSteps * scale)),
    steps: Math.max(1, Math.round(budget.steps * scale)),
  };
}

/** The bench's seeded streams (core's streamSeed(seed, purpose)), identical on both sides. */
export const PURPOSE = {
  throughputPairs: 1,
  shortRunPairs: 2,
  validationPairs: 3,
  testPairs: 4,
  episodes: 5,
  ttaPairs: 6,
  ttaValidationPairs: 7,
  digest: 8,
  classifierBatches: 9,
} as const;
