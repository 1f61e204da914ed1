import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromDir, saveModelToDir, writeFileAtomic } from '@twinnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('atomic artifact writes', () => {
  it('replaces a file whole and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-atomic-'));
    const file = join(dir, 'metrics.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new content');
    expect(await readFile(file, 'utf8')).toBe('new content');
    expect(await readdir(dir)).toEqual(['metrics.json']);
  });

  it('keeps the previous file when a write fails, and cleans up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-atomic-'));
    const file = join(dir, 'metrics.json');
    await writeFile(file, 'old');
    // Writing a directory path as data fails inside writeFile.
    await expect(writeFileAtomic(file, { bad: true } as unknown as string)).rejects.toThrow();
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['metrics.json']);
  });

  it('saves a model directory by rename, replacing the old one, and loads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-model-'));
    const build = (units: number) =>
      tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [3], kernelInitializer: 'ones' })] });
    await saveModelToDir(build(2), join(dir, 'tower'));
    await saveModelToDir(build(4), join(dir, 'tower'));
    expect(await readdir(dir)).toEqual(['tower']);
    const loaded = await loadModelFromDir(join(dir, 'tower'));
    expect(loaded.outputs[0]!.shape).toEqual([null, 4]);
  });

  it('refuses a model whose weights file is truncated, naming the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinnet-model-'));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    await saveModelToDir(model, join(dir, 'tower'));
    const weights = join(dir, 'tower', 'weights.bin');
    await writeFile(weights, (await readFile(weights)).subarray(0, 10));
    await expect(loadModelFromDir(join(dir, 'tower'))).rejects.toThrow(
      /tower: weights hold 10 bytes, the manifest needs 32/,
    );
  });
});
