import type { DecodedImage, Matcher, MatchResult } from '@twinnet/core';

/** A finished stroke on a draw pad: a fresh object per stroke; the canvas holds the pixels. */
export interface Drawing {
  canvas: HTMLCanvasElement;
}

/** A drawing, or a test image already in dataset form (784 bytes). */
export type Query = Drawing | Uint8Array;

export interface Answer {
  /** The 28×28 image the model saw. */
  pixels: Uint8Array;
  /** Every label of the matcher's supports, closest first. */
  result: MatchResult;
  /** Wall time of this query in the browser (reading and preprocessing, embedding, comparing): shown, not judged. */
  ms: number;
  /** Counts answers on this page, so a new answer can be told from the last (tests wait on it). */
  id: number;
}

/** An answer, or why there is none (a drawing with too little ink, a matcher without supports). */
export type Outcome = { answer: Answer; error?: undefined } | { answer?: undefined; error: string };

let answered = 0;

/**
 * The pad is read at this size: ample for a figure that ends up 20 pixels tall, and preprocessing 112² pixels
 * instead of 280² keeps a query quick.
 */
const READ_SIZE = 112;
let reader: CanvasRenderingContext2D | undefined;

/** A drawing's pixels, read small onto white; the matcher frames them as its dataset was. */
export function drawingImage({ canvas }: Drawing): DecodedImage {
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
  return { data, width: READ_SIZE, height: READ_SIZE, channels: 4 };
}

/** A query as the model sees it (784 bytes); throws for a drawing with no figure in it. */
export const queryPixels = (matcher: Matcher, query: Query): Uint8Array =>
  matcher.prepare(query instanceof Uint8Array ? query : drawingImage(query));

/** Ranks every label of the matcher's supports for one query. */
export function ask(matcher: Matcher, query: Query): Outcome {
  const started = performance.now();
  try {
    const pixels = queryPixels(matcher, query);
    const result = matcher.match(pixels, { k: matcher.labels.length });
    answered += 1;
    return { answer: { pixels, result, ms: performance.now() - started, id: answered } };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Runs one drawn query through every step once, so the JIT has compiled the preprocessing and the backend its
 * kernels before the user's first stroke (the first call is several times slower than the rest).
 */
export function warmUp(matcher: Matcher): void {
  const canvas = document.createElement('canvas');
  canvas.width = 280;
  canvas.height = 280;
  const c = canvas.getContext('2d')!;
  c.fillStyle = '#fff';
  c.fillRect(0, 0, 280, 280);
  c.fillStyle = '#111';
  c.fillRect(120, 60, 30, 160);
  const pixels = queryPixels(matcher, { canvas });
  matcher.add('warm-up', pixels);
  for (let i = 0; i < 3; i++) ask(matcher, { canvas });
  matcher.clear();
}
