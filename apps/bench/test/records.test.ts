import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchResultSchema, parseBenchHistory, preset } from '@twinnet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { benchProtocol } from '../src/protocol.ts';
import { pairEquivalentsPerStep, shortRunRecipe, ttaRecipe } from '../src/recipe.ts';
import { historyEntry, readResult, recordResult, resultFileName } from '../src/records.ts';
import { syntheticResult } from './fixtures.ts';

const made: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-bench-test-'));
  made.push(dir);
  return dir;
};
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('bench records', () => {
  it('round-trips a result through results/<date>-<commit>.json and appends one history line', async () => {
    const dir = await tempDir();
    const result = syntheticResult();
    const path = await recordResult(result, dir);
    expect(path).toBe(join(dir, 'results', '2026-11-23-150000-abcdef123456.json'));
    expect(await readResult(path)).toEqual(result);

    await recordResult({ ...result, createdAt: '2026-11-24T08:30:00.000Z' }, dir);
    const history = parseBenchHistory(await readFile(join(dir, 'history.jsonl'), 'utf8'), 'history.jsonl');
    expect(history).toHaveLength(2);
    expect(history[0]).toEqual(historyEntry(result, 'results/2026-11-23-150000-abcdef123456.json'));
    expect(history[0]?.variants.map((v) => v.trainPairsPerSecond)).toEqual([
      { ours: 2000, peer: 4000, ratio: 0.5 },
      { ours: 300, peer: 600, ratio: 0.5 },
    ]);
    expect(history[0]?.classifier).toEqual({
      tower: 'vgg',
      batchSize: 224,
      trainImagesPerSecond: { ours: 350, peer: 300, ratio: 350 / 300 },
      trainImagesPerCpuSecond: { ours: 360, peer: 310, ratio: 360 / 310 },
      embedImagesPerSecond: { ours: 1500, peer: 1200, ratio: 1.25 },
    });
  });

  it('reads results and history lines from before the classifier workload', () => {
    const old = JSON.parse(JSON.stringify(syntheticResult()));
    delete old.classifierThroughput;
    delete old.protocol.classifier;
    const parsed = BenchResultSchema.parse(old);
    expect(parsed.classifierThroughput).toEqual([]);
    expect(parsed.protocol.classifier).toBeUndefined();
    const line = historyEntry(parsed, 'results/old.json');
    expect(line.classifier).toBeUndefined();
    expect(parseBenchHistory(JSON.stringify(line), 'history.jsonl')[0]?.classifier).toBeUndefined();
  });

  it('reads results from before per-batch throughput and the time-to-accuracy recipe, with what they measured', () => {
    const old = JSON.parse(JSON.stringify(syntheticResult()));
    delete old.protocol.throughputBatchSizes;
    delete old.protocol.tta.ours;
    const parsed = BenchResultSchema.parse(old);
    expect(parsed.protocol.throughputBatchSizes).toEqual({ contrastive: [64], bce: [64] });
    expect(parsed.protocol.tta.ours).toEqual({});
  });

  it('reads the time-to-accuracy overrides of results from before recipes, which gave the rate flat', () => {
    const old = JSON.parse(JSON.stringify(syntheticResult()));
    old.protocol.tta.ours = { batchSize: 32, learningRate: 0.004 };
    expect(BenchResultSchema.parse(old).protocol.tta.ours).toEqual({
      batchSize: 32,
      optimizer: { learningRate: 0.004 },
    });
  });

  it('merges the time-to-accuracy overrides into the preset, and refuses ones out of range', () => {
    const protocol = benchProtocol(false);
    const recipe = ttaRecipe(protocol);
    expect(recipe.optimizer).toEqual({ kind: 'adam', learningRate: 0.004 });
    expect(recipe.pairing).toEqual(preset('mnist', 'contrastive').pairing);
    // In-batch steps hold 10 classes × 6 images, 30 pair equivalents, not batchSize ÷ 2; explicit ones batchSize.
    expect(pairEquivalentsPerStep(recipe)).toBe(30);
    expect(pairEquivalentsPerStep(shortRunRecipe('bce', protocol))).toBe(64);
    expect(() => ttaRecipe({ ...protocol, tta: { ...protocol.tta, ours: { batchSize: 1 } } })).toThrow(
      /batchSize/,
    );
  });

  it('marks results from a dirty tree in the file name', () => {
    expect(resultFileName({ ...syntheticResult(), gitDirty: true })).toBe(
      '2026-11-23-150000-abcdef123456-dirty.json',
    );
  });

  it('refuses to write a result that does not match the schema', async () => {
    const dir = await tempDir();
    const broken = syntheticResult();
    broken.throughput[0]!.trainPairsPerSecond.ours = Number.NaN;
    await expect(recordResult(broken, dir)).rejects.toThrow(/throughput\.0\.trainPairsPerSecond\.ours/);
  });

  it('gives a clear error for a missing, malformed, invalid or future-version result file', async () => {
    const dir = await tempDir();
    await expect(readResult(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: no such bench result/);

    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{"schemaVersion": 1,');
    await expect(readResult(notJson)).rejects.toThrow(/not-json\.json: not valid JSON/);

    const invalid = join(dir, 'invalid.json');
    const { throughput: _, ...withoutThroughput } = syntheticResult();
    await writeFile(invalid, JSON.stringify(withoutThroughput));
    await expect(readResult(invalid)).rejects.toThrow(
      /invalid\.json: does not match the expected format: throughput/,
    );

    const future = join(dir, 'future.json');
    await writeFile(future, JSON.stringify({ ...syntheticResult(), schemaVersion: 2 }));
    await expect(readResult(future)).rejects.toThrow(
      /future\.json: bench result schema version 2, this code reads version 1/,
    );
  });

  it('reports the line of a bad history entry', () => {
    const good = JSON.stringify(historyEntry(syntheticResult(), 'results/x.json'));
    expect(parseBenchHistory(`${good}\n\n${good}\n`, 'h.jsonl')).toHaveLength(2);
    expect(() => parseBenchHistory(`${good}\n{"schemaVersion":1}\n`, 'h.jsonl')).toThrow(
      /h\.jsonl:2: does not match/,
    );
  });

  it('validates the fixture itself, so the other tests start from a valid result', () => {
    expect(BenchResultSchema.safeParse(syntheticResult()).success).toBe(true);
  });
});
