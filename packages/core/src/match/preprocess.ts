import type { DatasetSpec } from '../datasets.ts';
import { IMAGE_SIZE, PIXELS } from '../images.ts';

/**
 * How the dataset framed its images. MNIST: the digit's bounding box scaled so its longer side is 20 pixels,
 * then placed so its centre of mass sits at the centre of the 28×28 field. Fashion-MNIST: the longer side
 * scaled to 28, the bounding box centred.
 */
export type PreprocessStyle = DatasetSpec['framing'];

export interface PreprocessOptions {
  /** Values per pixel; inferred from the array length when omitted. */
  channels?: 1 | 3 | 4;
  /** The model expects a bright figure on a dark background; 'auto' inverts when the image border is bright. */
  invert?: 'auto' | boolean;
  /** How the dataset framed its images (its spec's `framing`): 'digit' as MNIST, 'fill' as Fashion-MNIST. */
  style?: PreprocessStyle;
}

/** The arrays whose values read as pixels: bytes, or floats in [0, 1]. */
export type PixelArray = Uint8Array | Uint8ClampedArray | Float32Array;

/**
 * Refuses what would otherwise be converted without a word: other typed arrays (a Uint16Array's 1000 would wrap
 * to 232 as bytes), and float values that are NaN, infinite or outside [0, 1].
 */
export function checkPixels(pixels: unknown): asserts pixels is PixelArray {
  if (
    !(pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray || pixels instanceof Float32Array)
  ) {
    const kind = ArrayBuffer.isView(pixels)
      ? pixels.constructor.name
      : Array.isArray(pixels)
        ? 'a plain array'
        : pixels === null
          ? 'null'
          : typeof pixels;
    throw new Error(`pixels must be a Uint8Array, Uint8ClampedArray or Float32Array, got ${kind}`);
  }
  if (!(pixels instanceof Float32Array)) return;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`pixel value ${i} is ${v}; float pixels must lie in [0, 1]`);
  }
}

export function checkImageSize(width: unknown, height: unknown): void {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) < 0 ||
    (height as number) < 0
  )
    throw new Error(`image width and height must be whole numbers of pixels, got ${width}×${height}`);
  if (width === 0 || height === 0) throw new Error(`image has zero size (${width}×${height})`);
}

/**
 * The least ink (sum of values / 255) a dataset-form image must hold to show a figure. MNIST's faintest digit
 * holds about 20, Fashion-MNIST's faintest item 15; a blank or flat picture holds 0 after preprocessing.
 */
const MIN_INK = 5;

/**
 * Refuses a 28×28 dataset-form image with no figure: a blank support or query still embeds somewhere, and
 * matches (or pulls queries towards its label) for no reason.
 */
export function checkFigure(image: Uint8Array): void {
  let sum = 0;
  for (let i = 0; i < image.length; i++) sum += image[i]!;
  const ink = sum / 255;
  if (ink < MIN_INK) {
    throw new Error(
      `blank image: no figure left after preprocessing (${ink.toFixed(1)} pixels of ink, at least ${MIN_INK} needed)`,
    );
  }
}

/** A pixel counts as part of the figure above this fraction of the contrast range (keeps JPEG noise out). */
const INK = 0.05;
const MNIST_BOX = 20;
/** Where MNIST puts the centre of mass, in pixel indices (measured: 14.0, 14.0 on the training split). */
const MNIST_CENTRE = 14;

/**
 * Turns decoded pixels of any size (grey, RGB or RGBA; bytes, or floats in [0, 1]) into a 28×28 grey image
 * framed as the training data was, so a photo, a scan or a canvas drawing embeds like a dataset image.
 * Returns 784 bytes, row-major, bright figure on a dark background. A blank image gives all zeros (which
 * checkFigure refuses). Refuses sizes that are not whole numbers, and float pixels outside [0, 1].
 */
export function preprocessImage(
  pixels: PixelArray,
  width: number,
  height: number,
  options: PreprocessOptions = {},
): Uint8Array {
  checkImageSize(width, height);
  checkPixels(pixels);
  if (options.channels !== undefined && ![1, 3, 4].includes(options.channels))
    throw new Error(`channels must be 1, 3 or 4, got ${options.channels}`);
  const channels = options.channels ?? inferChannels(pixels.length, width, height);
  if (pixels.length !== width * height * channels) {
    throw new Error(
      `expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${pixels.length}`,
    );
  }
  const grey = toGrey(pixels, width * height, channels);
  const invert = options.invert ?? 'auto';
  if (invert === true || (invert === 'auto' && borderMean(grey, width, height) > 0.5)) {
    for (let i = 0; i < grey.length; i++) grey[i] = 1 - grey[i]!;
  }
  if (!stretchContrast(grey, width, height)) return new Uint8Array(PIXELS);

  const box = inkBox(grey, width, height);
  const side = (options.style ?? 'digit') === 'digit' ? MNIST_BOX : IMAGE_SIZE;
  const scale = side / Math.max(box.width, box.height);
  const w = Math.max(1, Math.min(side, Math.round(box.width * scale)));
  const h = Math.max(1, Math.min(side, Math.round(box.height * scale)));
  const patch = resize(crop(grey, width, box), box.width, box.height, w, h);

  let left: number;
  let top: number;
  if ((options.style ?? 'digit') === 'digit') {
    const [cx, cy] = centreOfMass(patch, w, h);
    left = Math.round(MNIST_CENTRE - cx);
    top = Math.round(MNIST_CENTRE - cy);
  } else {
    // Rounding half up puts odd-sized boxes where Fashion-MNIST has them.
    left = Math.round((IMAGE_SIZE - w) / 2);
    top = Math.round((IMAGE_SIZE - h) / 2);
  }
  const out = new Uint8Array(PIXELS);
  for (let y = 0; y < h; y++) {
    const ty = top + y;
    if (ty < 0 || ty >= IMAGE_SIZE) continue;
    for (let x = 0; x < w; x++) {
      const tx = left + x;
      if (tx < 0 || tx >= IMAGE_SIZE) continue;
      out[ty * IMAGE_SIZE + tx] = Math.round(255 * Math.min(1, Math.max(0, patch[y * w + x]!)));
    }
  }
  return out;
}

function inferChannels(length: number, width: number, height: number): 1 | 3 | 4 {
  const channels = length / (width * height);
  if (channels === 1 || channels === 3 || channels === 4) return channels;
  throw new Error(
    `${length} values do not fit a ${width}×${height} image with 1, 3 or 4 channels; pass options.channels`,
  );
}

/**
 * Luminance in [0, 1]. Transparent pixels are composited over the backdrop that contrasts with the visible
 * ink (white under dark strokes, black under light ones), so a stroke drawn on a transparent canvas survives.
 */
function toGrey(pixels: ArrayLike<number>, count: number, channels: 1 | 3 | 4): Float32Array {
  const unit = pixels instanceof Float32Array ? 1 : 1 / 255;
  const grey = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const p = i * channels;
    grey[i] =
      channels === 1
        ? pixels[p]! * unit
        : (0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!) * unit;
  }
  if (channels === 4) {
    let inkSum = 0;
    let alphaSum = 0;
    let transparent = false;
    for (let i = 0; i < count; i++) {
      const a = pixels[i * 4 + 3]! * unit;
      inkSum += a * grey[i]!;
      alphaSum += a;
      if (a < 1) transparent = true;
    }
    if (transparent) {
      const backdrop = alphaSum > 0 && inkSum / alphaSum < 0.5 ? 1 : 0;
      for (let i = 0; i < count; i++) {
        const a = pixels[i * 4 + 3]! * unit;
        grey[i] = a * grey[i]! + (1 - a) * backdrop;
      }
    }
  }
  for (let i = 0; i < count; i++) grey[i] = Math.min(1, Math.max(0, grey[i]!));
  return grey;
}

/** The outermost ring of pixels, where the background is. */
function borderValues(grey: Float32Array, width: number, height: number): number[] {
  const values: number[] = [];
  for (let x = 0; x < width; x++) {
    values.push(grey[x]!);
    if (height > 1) values.push(grey[(height - 1) * width + x]!);
  }
  for (let y = 1; y < height - 1; y++) {
    values.push(grey[y * width]!);
    if (width > 1) values.push(grey[y * width + width - 1]!);
  }
  return values;
}

function borderMean(grey: Float32Array, width: number, height: number): number {
  const values = borderValues(grey, width, height);
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Maps the background level (the border's median, robust to a figure touching the edge) to 0 and the
 * brightest pixel to 1, as MNIST's figures span the full range. Returns false for an image with no figure.
 */
function stretchContrast(grey: Float32Array, width: number, height: number): boolean {
  const border = borderValues(grey, width, height).sort((a, b) => a - b);
  const background = border[Math.floor(border.length / 2)]!;
  let max = 0;
  for (const v of grey) max = Math.max(max, v);
  const range = max - background;
  if (range < 1 / 64) return false;
  for (let i = 0; i < grey.length; i++) grey[i] = Math.max(0, (grey[i]! - background) / range);
  return true;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function inkBox(grey: Float32Array, width: number, height: number): Box {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x]! > INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  // stretchContrast guarantees a pixel at 1, so the box is never empty.
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function crop(grey: Float32Array, width: number, box: Box): Float32Array {
  const out = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    out.set(
      grey.subarray((box.y + y) * width + box.x, (box.y + y) * width + box.x + box.width),
      y * box.width,
    );
  }
  return out;
}

/**
 * Separable resampling with a triangle filter whose width follows the scale: averages (anti-aliases) when
 * shrinking, interpolates bilinearly when enlarging.
 */
function resize(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const columns = taps(sw, dw);
  const rows = taps(sh, dh);
  const mid = new Float32Array(dw * sh);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      const { first, weights } = columns[x]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += src[y * sw + first + k]! * weights[k]!;
      mid[y * dw + x] = sum;
    }
  }
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const { first, weights } = rows[y]!;
    for (let x = 0; x < dw; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += mid[(first + k) * dw + x]! * weights[k]!;
      out[y * dw + x] = sum;
    }
  }
  return out;
}

function taps(srcLength: number, dstLength: number): { first: number; weights: Float32Array }[] {
  const scale = dstLength / srcLength;
  const support = Math.max(1, 1 / scale);
  return Array.from({ length: dstLength }, (_, i) => {
    const centre = (i + 0.5) / scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(srcLength - 1, Math.ceil(centre + support));
    const weights = new Float32Array(last - first + 1);
    let total = 0;
    for (let j = first; j <= last; j++) {
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - centre) / support);
      weights[j - first] = w;
      total += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k] = weights[k]! / total;
    return { first, weights };
  });
}

function centreOfMass(patch: Float32Array, width: number, height: number): [number, number] {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = patch[y * width + x]!;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  return mass > 0 ? [mx / mass, my / mass] : [(width - 1) / 2, (height - 1) / 2];
}
