import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';
import { readTidy } from '../src/read-tidy.ts';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('readTidy', () => {
  it('reads the tensor fn makes and frees it and everything made on the way, even when reading throws', () => {
    const before = tf.memory().numTensors;
    const values = readTidy(() => tf.mul(tf.tensor1d([1, 2, 3]), tf.scalar(2)));
    expect(Array.from(values)).toEqual([2, 4, 6]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      readTidy(() => {
        tf.ones([4]);
        throw new Error('bad shape');
      }),
    ).toThrow('bad shape');
    expect(tf.memory().numTensors).toBe(before);
  });
});
