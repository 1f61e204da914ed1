import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/node.ts';

// tfjs-node is optional: its install script needs network to fetch libtensorflow.
// Probe it the same way the selector does so the expectations hold on both kinds of machine.
const tfjsNodeSpecifier = '@tensorflow/tfjs-node';
const tfjsNodeLoads = await import(/* @vite-ignore */ tfjsNodeSpecifier).then(
  () => true,
  () => false,
);

// The native kernels load wherever packages/native built (CI installs what it needs); both cases are covered.
const { loadNativeKernels } = await import('@twinnet/native');
const nativeLoads = loadNativeKernels().ok;

function collect(): { log: (msg: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (msg) => lines.push(msg), lines };
}

describe('initBackend', () => {
  it.runIf(!tfjsNodeLoads)(
    "'auto' falls back to wasm, with the native kernels where they load, and says why",
    async () => {
      const { log, lines } = collect();
      const info = await initBackend('auto', { log });
      expect(info).toMatchObject({ name: 'wasm', requested: 'auto', threads: 1 });
      expect(typeof info.simd).toBe('boolean');
      expect(info.fallbackReason).toMatch(/^tfjs-node not available: \S/);
      expect(info.fallbackReason).not.toContain('\n');
      expect(tf.getBackend()).toBe('wasm');
      if (nativeLoads) {
        expect(info.native).toMatch(/sgemm/);
        expect(lines).toEqual([
          expect.stringMatching(
            /^\[twinnet\] backend: wasm \(native kernels: .*sgemm.*; (no )?simd, 1 thread; tfjs-node/,
          ),
        ]);
      } else {
        expect(info.native).toBeUndefined();
        expect(info.fallbackReason).toMatch(/; native kernels/);
      }
    },
  );

  it.runIf(!tfjsNodeLoads)(
    "'auto' without the native kernels (TWINNET_NATIVE=off) is wasm alone, and says so",
    async () => {
      await initBackend('wasm', { log: () => {} });
      process.env.TWINNET_NATIVE = 'off';
      try {
        const info = await initBackend('auto', { log: () => {} });
        expect(info.native).toBeUndefined();
        expect(info.fallbackReason).toMatch(/; disabled by TWINNET_NATIVE=off$/);
        expect(tf.getKernel('Conv2D', 'wasm')?.kernelFunc.name).not.toBe('plain');
        await expect(initBackend('native', { log: () => {} })).rejects.toThrow(
          /Backend 'native' was requested but cannot be used: disabled by TWINNET_NATIVE=off/,
        );
      } finally {
        delete process.env.TWINNET_NATIVE;
      }
    },
  );

  it.runIf(tfjsNodeLoads)("'auto' uses tfjs-node when it loads", async () => {
    const info = await initBackend('auto', { log: () => {} });
    expect(info).toMatchObject({ name: 'tensorflow', requested: 'auto' });
    expect(info.fallbackReason).toBeUndefined();
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it.runIf(!tfjsNodeLoads)("explicit 'tfjs-node' rejects with install instructions", async () => {
    const before = tf.getBackend();
    const err = await initBackend('tfjs-node', { log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/tfjs-node/);
    expect(msg).toContain('pnpm add @tensorflow/tfjs-node');
    expect(msg).toMatch(/rebuild/);
    expect(msg).toMatch(/approve-builds|onlyBuiltDependencies/);
    expect(tf.getBackend()).toBe(before);
  });

  it("'cpu' works", async () => {
    const info = await initBackend('cpu', { log: () => {} });
    expect(info).toEqual({ name: 'cpu', requested: 'cpu', simd: false, threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.tidy(() => tf.add(1, 2).dataSync()[0])).toBe(3);
  });

  it("'wasm' works, trains a conv, and logs once for repeated requests", async () => {
    const { log, lines } = collect();
    const first = await initBackend('wasm', { log });
    const again = await initBackend('wasm', { log });
    const concurrent = await Promise.all([initBackend('wasm', { log }), initBackend('wasm', { log })]);
    expect(again).toBe(first);
    expect(concurrent).toEqual([first, first]);
    expect(lines).toHaveLength(1);
    expect(first).toMatchObject({ name: 'wasm', requested: 'wasm', threads: 1 });
    expect(first.fallbackReason).toBeUndefined();
    expect(tf.getBackend()).toBe('wasm');

    // Conv training needs our Conv2DBackpropFilter kernel, which stock wasm lacks.
    const f = tf.variable(tf.ones([3, 3, 1, 2]));
    const x = tf.ones([2, 6, 6, 1]) as tf.Tensor4D;
    const opt = tf.train.sgd(0.01);
    opt.minimize(
      () =>
        tf
          .conv2d(x, f as tf.Variable<tf.Rank.R4>, 1, 'valid')
          .square()
          .mean() as tf.Scalar,
    );
    expect(f.dataSync()[0]).toBeLessThan(1);
    tf.dispose([f, x]);
    opt.dispose();
  });

  it('re-activates a cached backend that was switched away from', async () => {
    const { log, lines } = collect();
    const wasm = await initBackend('wasm', { log });
    await initBackend('cpu', { log });
    const back = await initBackend('wasm', { log });
    expect(tf.getBackend()).toBe('wasm');
    expect(back).toEqual(wasm);
    // cpu and the switch back are real (re)initialisations, so each is reported.
    expect(lines).toHaveLength(2);
  });

  it('rejects unknown names', async () => {
    await expect(initBackend('webgpu' as never, { log: () => {} })).rejects.toThrow(/Unknown backend/);
  });
});
