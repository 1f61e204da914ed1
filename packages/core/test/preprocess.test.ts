import { type Dataset, loadDataset } from '@twinnet/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFigure, preprocessImage } from '../src/match/preprocess.ts';

let mnist: Dataset;
beforeAll(async () => {
  mnist = await loadDataset('mnist');
});

const digit = (i: number) => mnist.test.images.slice(i * 784, (i + 1) * 784);

/** A 28×28 image enlarged `factor` times (nearest neighbour), as RGBA, dark ink on white paper. */
function asPaperScan(image: Uint8Array, factor: number): { data: Uint8ClampedArray; size: number } {
  const size = 28 * factor;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = 255 - image[Math.floor(y / factor) * 28 + Math.floor(x / factor)]!;
      data.set([v, v, v, 255], (y * size + x) * 4);
    }
  }
  return { data, size };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function frame(image: Uint8Array): { width: number; height: number; cx: number; cy: number } {
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = image[y * 28 + x]!;
      if (v === 0) continue;
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1, cx: mx / mass, cy: my / mass };
}

describe('preprocessImage', () => {
  it('leaves MNIST digits almost unchanged: they are already framed this way', () => {
    const scores = Array.from({ length: 50 }, (_, i) =>
      correlation(preprocessImage(digit(i), 28, 28), digit(i)),
    );
    const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
    expect(mean).toBeGreaterThan(0.98);
  });

  it('leaves Fashion-MNIST images almost unchanged in their own framing', async () => {
    const fashion = await loadDataset('fashion-mnist');
    const image = (i: number) => fashion.test.images.slice(i * 784, (i + 1) * 784);
    const scores = Array.from({ length: 100 }, (_, i) =>
      correlation(preprocessImage(image(i), 28, 28, { style: 'fill' }), image(i)),
    );
    expect(scores.reduce((s, x) => s + x, 0) / scores.length).toBeGreaterThan(0.95);
  });

  it('turns a large dark-on-white RGBA scan into the MNIST framing', () => {
    for (let i = 0; i < 10; i++) {
      const { data, size } = asPaperScan(digit(i), 5);
      const out = preprocessImage(data, size, size);
      expect(out).toHaveLength(784);
      expect(correlation(out, digit(i))).toBeGreaterThan(0.8);
      const f = frame(out);
      expect(Math.max(f.width, f.height)).toBeGreaterThanOrEqual(19);
      expect(Math.max(f.width, f.height)).toBeLessThanOrEqual(21);
      expect(Math.abs(f.cx - 14)).toBeLessThan(1);
      expect(Math.abs(f.cy - 14)).toBeLessThan(1);
    }
  });

  it('scales a small off-centre blob up into a centred 20-pixel box', () => {
    const image = new Uint8Array(64 * 48);
    for (let y = 5; y < 15; y++) for (let x = 40; x < 45; x++) image[y * 64 + x] = 200;
    const out = preprocessImage(image, 64, 48);
    const f = frame(out);
    expect(f.height).toBe(20);
    expect(f.width).toBe(10);
    expect(Math.abs(f.cx - 14)).toBeLessThan(1);
    expect(Math.max(...out)).toBe(255);
  });

  it("inverts on 'auto' only when the border is bright, and obeys an explicit choice", () => {
    const dark = digit(0);
    const light = dark.map((v) => 255 - v);
    expect(correlation(preprocessImage(light, 28, 28), preprocessImage(dark, 28, 28))).toBeGreaterThan(0.99);
    // Forced the wrong way, nothing is brighter than the background: no figure is left.
    expect(preprocessImage(light, 28, 28, { invert: false }).every((v) => v === 0)).toBe(true);
    expect(preprocessImage(dark, 28, 28, { invert: true }).every((v) => v === 0)).toBe(true);
    expect(correlation(preprocessImage(light, 28, 28, { invert: true }), dark)).toBeGreaterThan(0.9);
  });

  it('reads grey bytes, floats in [0, 1], RGB and RGBA alike', () => {
    const grey = digit(3);
    const expected = preprocessImage(grey, 28, 28);
    const floats = Float32Array.from(grey, (v) => v / 255);
    const rgb = new Uint8Array(784 * 3).map((_, i) => grey[Math.floor(i / 3)]!);
    const rgba = new Uint8ClampedArray(784 * 4).map((_, i) => (i % 4 === 3 ? 255 : grey[Math.floor(i / 4)]!));
    for (const out of [
      preprocessImage(floats, 28, 28),
      preprocessImage(rgb, 28, 28),
      preprocessImage(rgba, 28, 28, { channels: 4 }),
    ]) {
      expect(Math.max(...out.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(1);
    }
  });

  it('keeps strokes drawn on a transparent canvas, dark or light', () => {
    const ink = digit(5);
    const expected = preprocessImage(ink, 28, 28);
    for (const colour of [0, 255]) {
      const rgba = new Uint8ClampedArray(784 * 4);
      for (let i = 0; i < 784; i++) rgba.set([colour, colour, colour, ink[i]!], i * 4);
      expect(correlation(preprocessImage(rgba, 28, 28), expected)).toBeGreaterThan(0.95);
    }
  });

  it('frames Fashion-MNIST style: the longer side fills 28 pixels, the box centred', () => {
    const image = new Uint8Array(100 * 50).fill(255);
    for (let y = 10; y < 90; y++) for (let x = 5; x < 45; x++) image[y * 50 + x] = 30;
    const f = frame(preprocessImage(image, 50, 100, { style: 'fill' }));
    expect(f.height).toBe(28);
    expect(f.width).toBe(14);
    expect(Math.abs(f.cx - 13.5)).toBeLessThanOrEqual(0.5);
  });

  it('returns a blank image for a blank input, which checkFigure refuses; a real digit passes', () => {
    const blank = preprocessImage(new Uint8Array(30 * 30).fill(255), 30, 30);
    expect(blank.every((v) => v === 0)).toBe(true);
    expect(() => checkFigure(blank)).toThrow(
      /^blank image: no figure left after preprocessing \(0\.0 pixels/,
    );
    // A 1×1 picture has no background to tell a figure from.
    expect(() => checkFigure(preprocessImage(new Uint8Array([0, 0, 0, 255]), 1, 1))).toThrow(/blank image/);
    const faint = new Uint8Array(784);
    faint.fill(255, 0, 4); // 4 pixels of ink: under the 5 required
    expect(() => checkFigure(faint)).toThrow(/4\.0 pixels of ink, at least 5 needed/);
    for (let i = 0; i < 200; i++) expect(() => checkFigure(digit(i))).not.toThrow();
  });

  it('refuses NaN, infinite and out-of-range float pixels, other arrays and sizes that are not whole', () => {
    const floats = Float32Array.from(digit(0), (v) => v / 255);
    for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY, 1000, 1.5, -0.25]) {
      const copy = floats.slice();
      copy[5] = bad;
      expect(() => preprocessImage(copy, 28, 28)).toThrow(
        `pixel value 5 is ${bad}; float pixels must lie in [0, 1]`,
      );
    }
    expect(() => preprocessImage(Uint16Array.from(digit(0)) as unknown as Uint8Array, 28, 28)).toThrow(
      /got Uint16Array/,
    );
    expect(() => preprocessImage([1, 2, 3] as unknown as Uint8Array, 1, 1)).toThrow(/got a plain array/);
    expect(() => preprocessImage(null as unknown as Uint8Array, 1, 1)).toThrow(/got null/);
    expect(() => preprocessImage(digit(0), Number.NaN, 28)).toThrow(/whole numbers of pixels, got NaN×28/);
    expect(() => preprocessImage(digit(0), 28, Number.POSITIVE_INFINITY)).toThrow(/got 28×Infinity/);
    expect(() => preprocessImage(digit(0), -28, -28)).toThrow(/got -28×-28/);
  });

  it('refuses sizes that do not add up', () => {
    expect(() => preprocessImage(new Uint8Array(0), 0, 0)).toThrow(/zero size \(0×0\)/);
    expect(() => preprocessImage(new Uint8Array(10), 3, 3)).toThrow(/1, 3 or 4 channels/);
    expect(() => preprocessImage(new Uint8Array(27), 3, 3, { channels: 4 })).toThrow(/expected 3×3×4 = 36/);
  });
});
