import { type BenchProtocol, streamSeed, VARIANTS, type Variant } from '@twinnet/core';
import type { WorkerSession } from './jobs.ts';
import type { PeerSession } from './peer.ts';
import { PeerLatencyReplySchema, PeerRoundReplySchema, PeerSetupReplySchema } from './peer-output.ts';
import { PURPOSE, throughputBudget } from './protocol.ts';
import { classifierRecipe, flatRecipe, throughputRecipe } from './recipe.ts';
import type { Seconds } from './timing.ts';
import type { ServeRequest } from './worker.ts';
import { CLASSIFIER, type Workload } from './workloads.ts';

export interface SideRounds {
  threads: number;
  towerParameters: number;
  train: Seconds[];
  embed: Seconds[];
  latencyMs: number[];
}

/** Every timed round of one variant, ours and each peer's, in the order they alternated. */
export interface ThroughputRounds {
  variant: Variant;
  /** Pairs per training step. */
  batchSize: number;
  /** Pairs per training round, images per embedding round: the same on both sides. */
  units: { train: number; embed: number };
  ours: SideRounds & { trainCalibration: Seconds[]; embedCalibration: Seconds[] };
  peers: SideRounds[];
}

/** Every timed round of the classifier workload (no latency: it has no pair model). Units are images. */
export interface ClassifierRounds {
  /** Images per training step. */
  batchSize: number;
  units: { train: number; embed: number };
  ours: SideRounds & { trainCalibration: Seconds[]; embedCalibration: Seconds[] };
  peers: SideRounds[];
}

/**
 * Throughput of both variants at each of the protocol's batch sizes, then of the classifier workload (when the
 * protocol has one), ours and the peer's at each thread count, one round each in turn: ours, peer, peer, ours, …
 * Rounds next to each other see the same load, so their ratios hold still on a busy machine even when the rates
 * do not. A peer that fails is dropped (and named in `problems`); ours failing is fatal.
 */
export async function measureThroughput(
  ours: WorkerSession,
  oursThreads: number,
  peers: PeerSession[],
  protocol: BenchProtocol,
  log: (line: string) => void,
): Promise<{ rounds: ThroughputRounds[]; classifier: ClassifierRounds | null; problems: string[] }> {
  const problems: string[] = [];
  let live = [...peers];
  const onPeer = async <T>(peer: PeerSession, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      problems.push((error as Error).message);
      live = live.filter((p) => p !== peer);
      return undefined;
    }
  };
  const out: ThroughputRounds[] = [];
  const cases = VARIANTS.flatMap((variant) =>
    protocol.throughputBatchSizes[variant].map((batchSize) => ({ variant, batchSize })),
  );
  for (const { variant, batchSize } of cases) {
    const recipe = flatRecipe(throughputRecipe(variant, protocol, batchSize));
    const budget = throughputBudget(protocol, variant, batchSize);
    log(
      `throughput ${variant}, batch ${batchSize}: ${budget.rounds} training and ${protocol.embedRounds} embedding rounds per side, alternating`,
    );
    const measured = await alternate(
      ours,
      oursThreads,
      variant,
      { op: 'setup', variant, batchSize },
      {
        setup: {
          op: 'setup',
          variant,
          recipe,
          pairSeed: streamSeed(protocol.seed, PURPOSE.throughputPairs),
          ...budget,
          embedBatch: protocol.embedBatchSize,
        },
        rounds: { train: budget.rounds, embed: protocol.embedRounds },
      },
    );
    measured.ours.latencyMs = (await ours.request({ op: 'latency', variant })).latencyMs;
    for (const peer of live) {
      const reply = await onPeer(peer, () =>
        peer.request(PeerLatencyReplySchema, {
          op: 'latency',
          variant,
          warmup: protocol.latencyWarmup,
          calls: protocol.latencyCalls,
        }),
      );
      if (reply) measured.sides.get(peer)!.latencyMs = reply.latencyMs;
    }
    out.push({ variant, batchSize, ...measured.finish() });
  }

  let classifier: ClassifierRounds | null = null;
  const workload = protocol.classifier;
  if (workload) {
    const recipe = classifierRecipe(protocol);
    log(
      `throughput ${CLASSIFIER} (${workload.tower} tower, cosine classifier), batch ${recipe.batchSize} images: ` +
        `${workload.rounds} training and ${workload.rounds} embedding rounds per side, alternating`,
    );
    const measured = await alternate(
      ours,
      oursThreads,
      CLASSIFIER,
      { op: 'setup', variant: CLASSIFIER, batchSize: recipe.batchSize },
      {
        setup: {
          op: 'setup',
          variant: CLASSIFIER,
          classifier: {
            tower: workload.tower,
            embeddingDim: recipe.tower.embeddingDim,
            classes: workload.classes,
            perClass: workload.perClass,
            temperature: recipe.loss.temperature,
            learningRate: recipe.optimizer.learningRate,
            batchSeed: streamSeed(protocol.seed, PURPOSE.classifierBatches),
          },
          warmupSteps: workload.warmupSteps,
          steps: workload.steps,
          rounds: workload.rounds,
          embedBatches: workload.embedBatches,
          embedBatch: protocol.embedBatchSize,
        },
        rounds: { train: workload.rounds, embed: workload.rounds },
      },
    );
    classifier = { batchSize: recipe.batchSize, ...measured.finish() };
  }
  return { rounds: out, classifier, problems };

  /**
   * Sets up one workload on our worker and every live peer, then takes its training and embedding rounds in
   * turn: ours, then each peer's, round after round.
   */
  async function alternate(
    worker: WorkerSession,
    threads: number,
    variant: Workload,
    setupOurs: Extract<ServeRequest, { op: 'setup' }>,
    peerPlan: { setup: Record<string, unknown>; rounds: { train: number; embed: number } },
  ) {
    const setup = await worker.request(setupOurs);
    const mine: SideRounds & { trainCalibration: Seconds[]; embedCalibration: Seconds[] } = {
      threads,
      towerParameters: setup.towerParameters,
      train: [],
      embed: [],
      latencyMs: [],
      trainCalibration: [],
      embedCalibration: [],
    };
    const sides = new Map<PeerSession, SideRounds>();
    for (const peer of live) {
      const reply = await onPeer(peer, () => peer.request(PeerSetupReplySchema, peerPlan.setup));
      if (reply) {
        sides.set(peer, {
          threads: peer.threads,
          towerParameters: reply.towerParameters,
          train: [],
          embed: [],
          latencyMs: [],
        });
      }
    }
    for (const op of ['train', 'embed'] as const) {
      for (let r = 0; r < peerPlan.rounds[op]; r++) {
        const round = await worker.request({ op, variant });
        if (!round.calibration) throw new Error('the worker ran no calibration round (init with calibrate)');
        mine[op].push(round.seconds);
        mine[op === 'train' ? 'trainCalibration' : 'embedCalibration'].push(round.calibration);
        for (const peer of live) {
          const reply = await onPeer(peer, () => peer.request(PeerRoundReplySchema, { op, variant }));
          if (reply) sides.get(peer)?.[op].push(reply);
        }
      }
    }
    return {
      sides,
      ours: mine,
      // Only peers that answered every round of this workload count.
      finish: () => ({
        units: setup.units,
        ours: mine,
        peers: [...sides.entries()].filter(([peer]) => live.includes(peer)).map(([, side]) => side),
      }),
    };
  }
}
