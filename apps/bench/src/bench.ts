import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type BackendInfo,
  type BackendName,
  type BenchProtocol,
  type BenchResult,
  createRng,
  headPolarity,
  indexByClass,
  samplePairs,
  streamSeed,
  VARIANTS,
} from '@twinnet/core';
import { assemble, type RawRun } from './assemble.ts';
import { loadBenchData, mnistDataDir, writeSplits } from './data.ts';
import { pairsDigest } from './digest.ts';
import { evaluationSets } from './evaluation.ts';
import { runWorker, WorkerSession } from './jobs.ts';
import { PEER_SCRIPT, PeerSession, type PeerSpec, probePeer, runPeer } from './peer.ts';
import { peerShortRunMetrics, writeEpisodes } from './peer-metrics.ts';
import { PeerFinishSchema } from './peer-output.ts';
import { PURPOSE } from './protocol.ts';
import { flatRecipe, shortRunRecipe } from './recipe.ts';
import { type ClassifierRounds, measureThroughput, type ThroughputRounds } from './rounds.ts';
import { gitState, loadAverage, machine } from './system.ts';
import { artifactQuality } from './trainer-artifacts.ts';

export interface BenchOptions {
  protocol: BenchProtocol;
  backend: BackendName;
  /** Interpreter with PyTorch; null skips the peer. */
  python: string | null;
  /** Thread counts the peer's time to accuracy runs at; default: our backend's. */
  peerTtaThreads: number[] | null;
  artifactsDir: string;
  repoRoot: string;
  log: (line: string) => void;
}

const DIGEST_PAIRS = 1000;

/** Runs every measurement, ours and the peer's, one after another (never two at once on a 2-core machine). */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { protocol, log } = options;
  const started = performance.now();
  const createdAt = new Date();
  const loadStart = loadAverage();
  const git = gitState(options.repoRoot);
  const data = await loadBenchData(protocol.seed);
  const notes: string[] = [];
  const digestSeed = streamSeed(protocol.seed, PURPOSE.digest);
  const oursDigest = pairsDigest(
    samplePairs(indexByClass(data.train.labels), DIGEST_PAIRS, createRng(digestSeed)),
  );

  const probe = options.python
    ? await probePeer(options.python)
    : ({ ok: false, reason: 'skipped (--no-peer)' } as const);
  log(probe.ok ? `PyTorch ${probe.torch} (Python ${probe.python})` : `PyTorch peer skipped: ${probe.reason}`);
  const work = await mkdtemp(join(tmpdir(), 'twinnet-bench-'));
  const peer: RawRun['peer'] = {
    probe,
    script: 'apps/bench/peers/siamese_torch.py',
    outputs: [],
    shortRuns: {},
    problems: [],
  };
  try {
    if (probe.ok) await writeSplits(data, work);
    const spec = (threads: number, jobs: Record<string, unknown>[]): PeerSpec => ({
      seed: protocol.seed,
      threads,
      dataDir: work,
      outDir: work,
      digestPairs: DIGEST_PAIRS,
      digestSeed,
      jobs,
    });
    const peerRun = async (threads: number, job: string, jobs: Record<string, unknown>[]) => {
      if (!probe.ok || !options.python) return;
      log(`PyTorch ${job} at ${threads} thread${threads === 1 ? '' : 's'}`);
      try {
        peer.outputs.push({ job, output: await runPeer(options.python, spec(threads, jobs)) });
      } catch (error) {
        peer.problems.push(`PyTorch ${job} at ${threads} thread(s): ${(error as Error).message}`);
        log(peer.problems.at(-1)!);
      }
    };

    // 1. Throughput: ours and the peer's at each thread count, round by round in turn.
    const throughput = await throughputPhase(options, probe.ok ? options.python : null, spec, peer);
    const threads = throughput.backend.threads;

    // 2. The fixed-budget short runs: quality when there are no artifacts, and accuracy beside the peer's.
    log('twinnet short runs');
    const shortJob = await runWorker({
      kind: 'short-run',
      variants: [...VARIANTS],
      backend: options.backend,
      protocol,
    });
    const { shortRun } = protocol;
    const sets = evaluationSets(data, protocol);
    const episodes = probe.ok ? await writeEpisodes(sets, protocol, work) : null;
    await peerRun(
      threads,
      'short-run',
      VARIANTS.map((variant) => ({
        kind: 'short-run',
        variant,
        recipe: flatRecipe(shortRunRecipe(variant, protocol)),
        pairs: shortRun.pairs[variant],
        pairSeed: streamSeed(protocol.seed, PURPOSE.shortRunPairs),
        validationImages: shortRun.validationImages,
        validationPairs: shortRun.validationPairs,
        validationSeed: streamSeed(protocol.seed, PURPOSE.validationPairs),
        testImages: shortRun.testImages,
        testPairs: shortRun.testPairs,
        testSeed: streamSeed(protocol.seed, PURPOSE.testPairs),
        episodes,
      })),
    );
    for (const { output } of peer.outputs) {
      for (const result of output.results) {
        if (result.kind !== 'short-run') continue;
        try {
          const polarity = headPolarity(shortRunRecipe(result.variant, protocol).head.kind);
          peer.shortRuns[result.variant] = await peerShortRunMetrics(result, work, sets, protocol, polarity);
        } catch (error) {
          peer.problems.push(`PyTorch short run ${result.variant}: ${(error as Error).message}`);
        }
      }
    }

    // 3. Time to accuracy: the mnist-contrastive preset on ours, the Keras recipe on the peer.
    log(`twinnet time to ${(100 * protocol.tta.target).toFixed(1)}% (cap ${protocol.tta.capSeconds} s)`);
    const ttaJob = await runWorker({ kind: 'tta', backend: options.backend, protocol });
    const ttaSpec = {
      kind: 'tta',
      recipe: protocol.tta.peerRecipe,
      pairSeed: streamSeed(protocol.seed, PURPOSE.ttaPairs),
      pairsPerEpoch: protocol.tta.peerRecipe.pairsPerEpoch,
      validationPairs: protocol.tta.validationPairs,
      validationSeed: streamSeed(protocol.seed, PURPOSE.ttaValidationPairs),
      evalEveryPairs: protocol.tta.evalEveryPairs,
      target: protocol.tta.target,
      capSeconds: protocol.tta.capSeconds,
    };
    for (const t of options.peerTtaThreads ?? [threads]) await peerRun(t, 'time-to-accuracy', [ttaSpec]);
    if (!ttaJob.tta) throw new Error('the time-to-accuracy job returned no result');

    const artifacts = {
      contrastive: await artifactQuality(options.artifactsDir, 'contrastive', createdAt),
      bce: await artifactQuality(options.artifactsDir, 'bce', createdAt),
    };
    notes.push(
      `data: MNIST from ${mnistDataDir()}, the presets' seeded validation split` +
        (probe.ok ? '; the peer reads the same bytes' : ''),
    );
    return assemble({
      createdAt,
      wallSeconds: (performance.now() - started) / 1000,
      git,
      machine: machine(),
      loadAverage: { start: loadStart, end: loadAverage() },
      versions: {
        node: process.versions.node,
        tfjs: tf.version.tfjs,
        twinnet: '0.1.0',
        ...(probe.ok ? { python: probe.python, torch: probe.torch } : {}),
      },
      protocol,
      backend: throughput.backend,
      ours: {
        throughput: throughput.rounds,
        classifier: throughput.classifier,
        shortRuns: shortJob.shortRuns,
        tta: ttaJob.tta,
        processes: [
          { job: 'throughput', peakRssMiB: throughput.peakRssMiB },
          { job: 'short-run', peakRssMiB: shortJob.peakRssMiB },
          { job: 'time-to-accuracy', peakRssMiB: ttaJob.peakRssMiB },
        ],
        pairsDigest: oursDigest,
      },
      peer: { ...peer, script: PEER_SCRIPT.slice(options.repoRoot.length + 1) },
      artifacts,
      notes,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Our throughput worker and a peer per thread count, alive together so their rounds can alternate. */
async function throughputPhase(
  options: BenchOptions,
  python: string | null,
  spec: (threads: number, jobs: Record<string, unknown>[]) => PeerSpec,
  peer: RawRun['peer'],
): Promise<{
  backend: BackendInfo;
  rounds: ThroughputRounds[];
  classifier: ClassifierRounds | null;
  peakRssMiB: number;
}> {
  const worker = new WorkerSession();
  const sessions: PeerSession[] = [];
  try {
    const { backend } = await worker.request({
      op: 'init',
      backend: options.backend,
      protocol: options.protocol,
    });
    // 1 thread and all cores, and whatever our backend uses.
    const peerThreads = [...new Set([1, backend.threads, availableParallelism()])].sort((a, b) => a - b);
    if (python) {
      for (const t of peerThreads) sessions.push(await PeerSession.start(python, spec(t, [])));
    }
    const measured = await measureThroughput(
      worker,
      backend.threads,
      sessions,
      options.protocol,
      options.log,
    );
    peer.problems.push(...measured.problems);
    for (const session of sessions) {
      try {
        const finish = await session.request(PeerFinishSchema, { op: 'finish' });
        peer.outputs.push({ job: 'throughput', output: { ...finish, results: [] } });
      } catch (error) {
        peer.problems.push((error as Error).message);
      }
    }
    const { peakRssMiB } = await worker.request({ op: 'finish' });
    return { backend, rounds: measured.rounds, classifier: measured.classifier, peakRssMiB };
  } finally {
    for (const session of sessions) session.close();
    worker.close();
  }
}
