import { IMAGE_SIZE, PIXELS } from '../images.ts';
import {
  checkFigure,
  checkPixels,
  type PixelArray,
  type PreprocessStyle,
  preprocessImage,
} from './preprocess.ts';

/** Decoded pixels of any size (a PNG or JPEG, a canvas's ImageData): preprocessed as the dataset was. */
export interface DecodedImage {
  data: PixelArray;
  width: number;
  height: number;
  /** Inferred from data.length when omitted (ImageData is RGBA). */
  channels?: 1 | 3 | 4;
}

/**
 * One image: 784 values already in dataset form (28×28, bright on dark; bytes, or floats in [0, 1]), used as
 * they are, or decoded pixels, which are preprocessed first. A bare array of n × 784 values holds n images.
 */
export type MatchImage = PixelArray | DecodedImage;

/** Every accepted input as n × 784 dataset-form bytes; errors in a list name the image's index. */
export function toBatch(images: MatchImage | readonly MatchImage[], style: PreprocessStyle): Uint8Array {
  if (!Array.isArray(images)) return toDatasetImages(images as MatchImage, style);
  const parts = images.map((image: MatchImage, i) => {
    try {
      return toDatasetImages(image, style);
    } catch (error) {
      throw new Error(`image ${i}: ${(error as Error).message}`);
    }
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** One image (or a bare array of several) as dataset-form bytes, refused unless each shows a figure. */
export function toDatasetImages(image: MatchImage, style: PreprocessStyle): Uint8Array {
  if (image === null || typeof image !== 'object') {
    throw new Error(
      `expected an image (784 bytes or floats, or { data, width, height }), got ${image === null ? 'null' : typeof image}`,
    );
  }
  const out = ArrayBuffer.isView(image) ? fromDatasetForm(image) : fromDecoded(image, style);
  const n = out.length / PIXELS;
  for (let j = 0; j < n; j++) {
    try {
      checkFigure(out.subarray(j * PIXELS, (j + 1) * PIXELS));
    } catch (error) {
      throw n === 1 ? error : new Error(`image ${j} of the ${n} in one array: ${(error as Error).message}`);
    }
  }
  return out;
}

function fromDecoded(image: DecodedImage, style: PreprocessStyle): Uint8Array {
  if (image.data === undefined) {
    throw new Error('an image object needs { data, width, height } (pixels, then their size)');
  }
  return preprocessImage(image.data, image.width, image.height, {
    ...(image.channels !== undefined ? { channels: image.channels } : {}),
    style,
  });
}

function fromDatasetForm(image: ArrayBufferView): Uint8Array {
  checkPixels(image);
  if (image.length === 0 || image.length % PIXELS !== 0) {
    throw new Error(
      `a bare array must hold ${IMAGE_SIZE}×${IMAGE_SIZE} images (a multiple of ${PIXELS} values), got ` +
        `${image.length}; pass { data, width, height } for pictures of other sizes`,
    );
  }
  if (!(image instanceof Float32Array)) return image instanceof Uint8Array ? image : new Uint8Array(image);
  return Uint8Array.from(image, (v) => Math.round(255 * v));
}
