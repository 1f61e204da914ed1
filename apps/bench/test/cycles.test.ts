import { VARIANTS } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { MAX_CYCLES, measureInCycles } from '../src/ab/cycles.ts';
import { analyse } from '../src/ab/figures.ts';
import { abPlan } from '../src/ab/protocol.ts';
import type { RoundServer } from '../src/ab/rounds.ts';
import type { StartedSide, startSide } from '../src/ab/sessions.ts';
import { WORKLOADS, type Workload } from '../src/workloads.ts';

const UNITS = { train: 256, embed: 1536 };

/**
 * Fake workers: every request is logged as "<side> <workload> <op>", and a side's rounds take `seconds(op, n)`
 * (n counts that side's requests of that op and workload), so a test can make one side slower or noisy. The old
 * side's workers know `oldKnows` (all workloads unless a test plays a REF from before the classifier workload).
 */
function fakes(
  seconds: (side: string, op: string, n: number) => number,
  oldKnows: readonly Workload[] = WORKLOADS,
) {
  const calls: string[] = [];
  const starts: string[] = [];
  const asked: string[][] = [];
  const start: typeof startSide = async (script, _protocol, _backend, _label, wanted = WORKLOADS) => {
    const side = script.path;
    starts.push(side);
    asked.push([...wanted]);
    const workloads = wanted.filter((w) => side === 'new' || oldKnows.includes(w));
    const counts = new Map<string, number>();
    const server = (variant: Workload): RoundServer => ({
      request: (async (request: { op: string }) => {
        calls.push(`${side} ${variant} ${request.op}`);
        const key = `${variant} ${request.op}`;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        const s = seconds(side, request.op, n);
        return request.op === 'latency' ? { latencyMs: [1000 * s] } : { seconds: { wall: s, cpu: s } };
      }) as RoundServer['request'],
    });
    const byWorkload = <T>(f: (v: Workload) => T) =>
      Object.fromEntries(workloads.map((v) => [v, f(v)])) as Partial<Record<Workload, T>>;
    return {
      side: { servers: byWorkload(server) },
      workloads,
      units: byWorkload(() => UNITS),
      backend: { name: 'wasm', requested: 'auto', simd: true, threads: 1 },
      towerParameters: byWorkload(() => 1000),
      close: () => {},
    } satisfies StartedSide;
  };
  return { calls, starts, asked, start };
}

const scripts = { old: { path: 'old' }, new: { path: 'new' } };
const options = (plan: ReturnType<typeof abPlan>, start: typeof startSide) => ({
  scripts,
  plan,
  backend: 'auto' as const,
  threshold: 0.1,
  log: () => {},
  start,
});

describe('measureInCycles', () => {
  it('alternates which side starts each cycle and which goes first each round', async () => {
    const fake = fakes(() => 0.01);
    const measured = await measureInCycles(options(abPlan(false, 4, 0), fake.start));
    // 4 rounds: two cycles of two, the first started by REF, the second by the working tree.
    expect(fake.starts).toEqual(['old', 'new', 'new', 'old']);
    expect(measured.rounds.cycle).toEqual([0, 0, 1, 1]);
    expect(measured.rounds.first).toEqual(['old', 'new', 'old', 'new']);
    const firstOps = (variant: Workload, op: string) =>
      fake.calls.filter((c) => c.endsWith(`${variant} ${op}`)).map((c) => c.split(' ')[0]);
    // Per cycle: a warm-up round (old first, discarded), then the kept rounds; each op goes A B or B A.
    expect(firstOps('contrastive', 'train')).toEqual([
      ...['old', 'new', 'old', 'new', 'new', 'old'],
      ...['old', 'new', 'old', 'new', 'new', 'old'],
    ]);
    expect(fake.calls.slice(0, 6)).toEqual([
      'old contrastive train',
      'new contrastive train',
      'old contrastive embed',
      'new contrastive embed',
      'old contrastive latency',
      'new contrastive latency',
    ]);
  });

  it('keeps only the kept rounds, paired, and reads a slower side as slower', async () => {
    // The working tree's training rounds take 25% longer; the warm-up round is ten times slower on both.
    const fake = fakes(
      (side, op, n) => (n === 1 ? 0.1 : 0.01) * (side === 'new' && op === 'train' ? 1.25 : 1),
    );
    const measured = await measureInCycles(options(abPlan(false, 20, 0), fake.start));
    expect(measured.rounds.old).toHaveLength(20);
    const verdicts = Object.fromEntries(
      analyse(measured.rounds, measured.started.new.units, 0.1).map((f) => [f.figure.key, f.verdict]),
    );
    expect(verdicts).toEqual({
      'contrastive-train': 'regression',
      'contrastive-embed': 'ok',
      'contrastive-latency': 'ok',
      'bce-train': 'regression',
      'bce-embed': 'ok',
      'bce-latency': 'ok',
      'vgg-classifier-train': 'regression',
      'vgg-classifier-embed': 'ok',
    });
  });

  it('skips the classifier workload when REF predates it, and asks no worker for it after REF said so', async () => {
    const fake = fakes(() => 0.01, VARIANTS);
    const measured = await measureInCycles(options(abPlan(false, 4, 0), fake.start));
    expect(measured.rounds.old).toHaveLength(4);
    expect(measured.rounds.old.every((r) => r['vgg-classifier'] === undefined)).toBe(true);
    expect(measured.rounds.new.every((r) => r['vgg-classifier'] === undefined)).toBe(true);
    // No round asked either side for the classifier: neither side's measurement could be paired.
    expect(fake.calls.filter((c) => c.includes('vgg-classifier'))).toEqual([]);
    // REF starts first in the first cycle: the working tree's workers are never asked for what REF lacks.
    expect(fake.asked).toEqual([[...WORKLOADS], [...VARIANTS], [...VARIANTS], [...VARIANTS]]);
    const outcomes = analyse(measured.rounds, measured.started.new.units, 0.1);
    expect(outcomes.filter((f) => f.verdict === 'skipped').map((f) => f.figure.key)).toEqual([
      'vgg-classifier-train',
      'vgg-classifier-embed',
    ]);
    expect(outcomes.filter((f) => f.verdict === 'ok')).toHaveLength(6);
  });

  it('takes two more cycles at a time while a figure is inconclusive, up to the cap', async () => {
    // Embedding on the working tree alternates 20% slower and 2% faster: never decided.
    const fake = fakes((side, op, n) => 0.01 * (side === 'new' && op === 'embed' ? (n % 2 ? 1.2 : 0.98) : 1));
    const none = await measureInCycles(options(abPlan(false, 20, 0), fake.start));
    expect(none.rounds.old).toHaveLength(20);
    const capped = await measureInCycles(options(abPlan(false, 20, 1e9), fake.start));
    expect(capped.rounds.old).toHaveLength(MAX_CYCLES * 10);
  });
});
