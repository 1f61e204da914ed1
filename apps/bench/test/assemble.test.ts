import { describe, expect, it } from 'vitest';
import { assembleClassifier, assembleThroughput } from '../src/assemble.ts';
import { benchProtocol } from '../src/protocol.ts';
import type { ClassifierRounds, ThroughputRounds } from '../src/rounds.ts';

const s = (cpu: number, wall = cpu) => ({ cpu, wall });

describe('assembleThroughput', () => {
  it('takes the best round of each side, and the median ratio of neighbouring rounds', () => {
    // Round 2 is slow for both sides (a busy moment): the rates' best ignores it, the ratio is unaffected.
    const rounds: ThroughputRounds = {
      variant: 'contrastive',
      batchSize: 16,
      units: { train: 640, embed: 512 },
      ours: {
        threads: 1,
        towerParameters: 100,
        train: [s(1), s(2), s(1.1)],
        embed: [s(0.5), s(0.5), s(0.5)],
        latencyMs: [1, 2, 3],
        trainCalibration: [s(0.1), s(0.2), s(0.1)],
        embedCalibration: [s(0.1), s(0.1), s(0.1)],
      },
      peers: [
        {
          threads: 1,
          towerParameters: 100,
          train: [s(0.5), s(1), s(0.5)],
          embed: [s(0.25), s(0.5), s(0.25)],
          latencyMs: [1, 1, 1],
        },
        {
          threads: 2,
          towerParameters: 90,
          train: [s(0.4), s(0.4), s(0.4)],
          embed: [s(0.2), s(0.2), s(0.2)],
          latencyMs: [2, 2, 2],
        },
      ],
    };
    const notes: string[] = [];
    const t = assembleThroughput(rounds, 1, notes);
    expect(t.trainPairsPerCpuSecond.ours).toBe(640);
    expect(t.trainPairsPerCpuSecond.peer).toEqual([
      { threads: 1, value: 1280 },
      { threads: 2, value: 1600 },
    ]);
    // Per round: 0.5, 0.5, 0.5/1.1 → median 0.5, ranging from 0.5/1.1 to 0.5.
    expect(t.trainPairsPerCpuSecond.ratio).toBe(0.5);
    expect(t.trainPairsPerCpuSecond.ratioRange?.[0]).toBeCloseTo(0.5 / 1.1);
    expect(t.trainPairsPerCpuSecond.ratioRange?.[1]).toBe(0.5);
    expect(t.trainImagesPerSecond.ours).toBe(1280);
    // Embedding: 0.25/0.5 in round 1 and 3, 0.5/0.5 in round 2 → median 0.5.
    expect(t.embedImagesPerCpuSecond.ratio).toBe(0.5);
    // (640/1) / (100/0.1) = 0.64 in rounds 1 and 2 (both slowed), 0.58 in round 3 → median 0.64.
    expect(t.calibrated.trainPairs).toBeCloseTo(0.64);
    expect(t.latencyMedianMs).toEqual({
      ours: 2,
      peer: [
        { threads: 1, value: 1 },
        { threads: 2, value: 2 },
      ],
      ratio: 2,
    });
    expect(notes).toEqual([
      expect.stringContaining("the peer's tower has 90 trainable parameters, ours 100"),
    ]);
  });
});

describe('assembleClassifier', () => {
  it('gives the classifier workload in images per second and per CPU second, with ratio ranges', () => {
    const rounds: ClassifierRounds = {
      batchSize: 224,
      units: { train: 448, embed: 512 },
      ours: {
        threads: 1,
        towerParameters: 303_392,
        train: [s(1.2, 2), s(1), s(1.1)],
        embed: [s(0.4), s(0.5), s(0.4)],
        latencyMs: [],
        trainCalibration: [s(0.1), s(0.1), s(0.1)],
        embedCalibration: [s(0.1), s(0.1), s(0.1)],
      },
      peers: [
        {
          threads: 1,
          towerParameters: 303_392,
          train: [s(1.8), s(1.5), s(2.2)],
          embed: [s(0.5), s(0.5), s(0.6)],
          latencyMs: [],
        },
        {
          threads: 2,
          towerParameters: 303_392,
          train: [s(2), s(2), s(2)],
          embed: [s(0.6), s(0.6), s(0.6)],
          latencyMs: [],
        },
      ],
    };
    const notes: string[] = [];
    const c = assembleClassifier(rounds, benchProtocol(false), 1, notes);
    expect(c).toMatchObject({
      tower: 'vgg',
      loss: 'norm-softmax',
      temperature: 1 / 16,
      classes: [0, 1, 2, 3, 4, 5, 6],
      perClass: 32,
      batchSize: 224,
      optimizer: 'adam',
      learningRate: 0.002,
      towerParameters: 303_392,
    });
    expect(c.trainImagesPerCpuSecond.ours).toBe(448);
    expect(c.trainImagesPerCpuSecond.peer).toEqual([
      { threads: 1, value: 448 / 1.5 },
      { threads: 2, value: 224 },
    ]);
    // Per round, ours ÷ the peer's at 1 thread: 1.8/1.2, 1.5/1, 2.2/1.1 → 1.5, 1.5, 2.
    expect(c.trainImagesPerCpuSecond.ratio).toBeCloseTo(1.5);
    expect(c.trainImagesPerCpuSecond.ratioRange?.[0]).toBeCloseTo(1.5);
    expect(c.trainImagesPerCpuSecond.ratioRange?.[1]).toBeCloseTo(2);
    // Wall time: round 1 took 2 s on our side.
    expect(c.trainImagesPerSecond.ours).toBe(448);
    expect(c.trainImagesPerSecond.ratioRange?.[0]).toBeCloseTo(0.9);
    expect(c.embedImagesPerCpuSecond.ours).toBe(512 / 0.4);
    expect(c.calibrated.trainImages).toBeCloseTo(448 / 1.1 / 1000);
    expect(notes).toEqual([]);
  });

  it('notes a peer tower with another parameter count', () => {
    const side = { threads: 1, towerParameters: 303_392, train: [s(1)], embed: [s(1)], latencyMs: [] };
    const notes: string[] = [];
    assembleClassifier(
      {
        batchSize: 224,
        units: { train: 224, embed: 256 },
        ours: { ...side, trainCalibration: [s(0.1)], embedCalibration: [s(0.1)] },
        peers: [{ ...side, towerParameters: 304_288 }],
      },
      benchProtocol(true),
      1,
      notes,
    );
    expect(notes).toEqual([
      expect.stringContaining(
        "vgg tower (cosine classifier): the peer's tower has 304288 trainable parameters, ours 303392",
      ),
    ]);
  });
});
