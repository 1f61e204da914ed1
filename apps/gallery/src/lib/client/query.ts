import { type PreprocessStyle, preprocessImage } from '@twinnet/core';
import type { Siamese } from './siamese.ts';

/** A finished stroke on a draw pad: a fresh object per stroke; the canvas holds the pixels. */
export interface Drawing {
  canvas: HTMLCanvasElement;
}

export interface Answer {
  /** The 28×28 image the model saw. */
  pixels: Uint8Array;
  /** The head's score against each support, in support order. */
  scores: Float32Array;
  /** Index of the most alike support. */
  best: number;
  /** Wall time of this query in the browser: reading and preprocessing a drawing, embedding, comparing. */
  ms: number;
  /** Counts answers on this page, so a new answer can be told from the last (tests wait on it). */
  id: number;
}

let answered = 0;

/**
 * The pad is read at this size: ample for a figure that ends up 20 pixels tall, and preprocessing 112² pixels
 * instead of 280² keeps a query well inside its time budget.
 */
const READ_SIZE = 112;
let reader: CanvasRenderingContext2D | undefined;

/** A drawing as the model's input: read small, then cropped, scaled and centred as the dataset was. */
export function drawingPixels({ canvas }: Drawing, style: PreprocessStyle): Uint8Array {
  if (!reader) {
    const small = document.createElement('canvas');
    small.width = READ_SIZE;
    small.height = READ_SIZE;
    reader = small.getContext('2d', { willReadFrequently: true })!;
    reader.imageSmoothingQuality = 'high';
  }
  reader.fillStyle = '#fff';
  reader.fillRect(0, 0, READ_SIZE, READ_SIZE);
  reader.drawImage(canvas, 0, 0, READ_SIZE, READ_SIZE);
  const { data } = reader.getImageData(0, 0, READ_SIZE, READ_SIZE);
  return preprocessImage(data, READ_SIZE, READ_SIZE, { channels: 4, invert: 'auto', style });
}

/**
 * Answers one query against support embeddings (k × dim): a drawing is preprocessed first, a dataset image
 * (784 bytes) is used as it is. Returns undefined for a blank drawing.
 */
export function answer(
  siamese: Siamese,
  query: Drawing | Uint8Array,
  supports: Float32Array,
  style: PreprocessStyle,
): Answer | undefined {
  const started = performance.now();
  const pixels = query instanceof Uint8Array ? query : drawingPixels(query, style);
  if (!pixels.some((v) => v > 0)) return undefined;
  const scores = siamese.compare(siamese.embed(pixels), supports);
  const sign = siamese.polarity === 'lower-is-same' ? -1 : 1;
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (sign * scores[i]! > sign * scores[best]!) best = i;
  const ms = performance.now() - started;
  answered += 1;
  return { pixels, scores, best, ms, id: answered };
}

/**
 * Runs one drawn query through every step once, so the JIT has compiled the preprocessing before the user's
 * first stroke (the first call is several times slower than the rest).
 */
export function warmUp(siamese: Siamese, style: PreprocessStyle): void {
  const canvas = document.createElement('canvas');
  canvas.width = 280;
  canvas.height = 280;
  const c = canvas.getContext('2d')!;
  c.fillStyle = '#fff';
  c.fillRect(0, 0, 280, 280);
  c.fillStyle = '#111';
  c.fillRect(120, 60, 30, 160);
  for (let i = 0; i < 3; i++) answer(siamese, { canvas }, new Float32Array(siamese.dim), style);
}
