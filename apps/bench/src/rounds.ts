import { type BenchProtocol, streamSeed, VARIANTS, type Variant } from '@twinnet/core';
import type { WorkerSession } from './jobs.ts';
import type { PeerSession } from './peer.ts';
import { PeerLatencyReplySchema, PeerRoundReplySchema, PeerSetupReplySchema } from './peer-output.ts';
import { PURPOSE, throughputBudget } from './protocol.ts';
import { flatRecipe, throughputRecipe } from './recipe.ts';
import type { Seconds } from './timing.ts';

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

/**
 * Throughput of both variants at each of the protocol's batch sizes, ours and the peer's at each thread count,
 * one round each in turn: ours, peer, peer, ours, … Rounds next to each other see the same load, so their ratios hold still on a busy machine even
 * when the rates do not. A peer that fails is dropped (and named in `problems`); ours failing is fatal.
 */
export async function measureThroughput(
  ours: WorkerSession,
  oursThreads: number,
  peers: PeerSession[],
  protocol: BenchProtocol,
  log: (line: string) => void,
): Promise<{ rounds: ThroughputRounds[]; problems: string[] }> {
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
    const setup = await ours.request({ op: 'setup', variant, batchSize });
    const result: ThroughputRounds = {
      variant,
      batchSize,
      units: setup.units,
      ours: {
        threads: oursThreads,
        towerParameters: setup.towerParameters,
        train: [],
        embed: [],
        latencyMs: [],
        trainCalibration: [],
        embedCalibration: [],
      },
      peers: [],
    };
    const sides = new Map<PeerSession, SideRounds>();
    for (const peer of live) {
      const reply = await onPeer(peer, () =>
        peer.request(PeerSetupReplySchema, {
          op: 'setup',
          variant,
          recipe,
          pairSeed: streamSeed(protocol.seed, PURPOSE.throughputPairs),
          ...budget,
          embedBatch: protocol.embedBatchSize,
        }),
      );
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
    for (const [op, rounds] of [
      ['train', budget.rounds],
      ['embed', protocol.embedRounds],
    ] as const) {
      for (let r = 0; r < rounds; r++) {
        const mine = await ours.request({ op, variant });
        if (!mine.calibration) throw new Error('the worker ran no calibration round (init with calibrate)');
        result.ours[op].push(mine.seconds);
        result.ours[op === 'train' ? 'trainCalibration' : 'embedCalibration'].push(mine.calibration);
        for (const peer of live) {
          const reply = await onPeer(peer, () => peer.request(PeerRoundReplySchema, { op, variant }));
          if (reply) sides.get(peer)?.[op].push(reply);
        }
      }
    }
    result.ours.latencyMs = (await ours.request({ op: 'latency', variant })).latencyMs;
    for (const peer of live) {
      const reply = await onPeer(peer, () =>
        peer.request(PeerLatencyReplySchema, {
          op: 'latency',
          variant,
          warmup: protocol.latencyWarmup,
          calls: protocol.latencyCalls,
        }),
      );
      if (reply) sides.get(peer)!.latencyMs = reply.latencyMs;
    }
    // Only peers that answered every round of this variant count.
    result.peers = [...sides.entries()].filter(([peer]) => live.includes(peer)).map(([, side]) => side);
    out.push(result);
  }
  return { rounds: out, problems };
}
