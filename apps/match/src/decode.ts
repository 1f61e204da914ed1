import type { DecodedImage } from '@twinnet/core';
import { DEFAULT_MAX_PIXELS, MAX_SIDE } from './flags.ts';
import { readImageHeader } from './image-header.ts';
import { decodeJpeg } from './jpeg-decode.ts';
import { DECODE_CAP, decodePng } from './png-decode.ts';

export interface DecodeOptions {
  /** Refuse images with more pixels than this, from the header, before decoding (default 4096 × 4096). */
  maxPixels?: number;
}

/**
 * Decodes a PNG or JPEG (recognised by its first bytes, not its name) to RGBA pixels, at most DECODE_CAP of
 * them: a larger picture is reduced while it is read (a PNG box-averaged by a whole factor, row by row; a JPEG
 * scaled in the DCT by libjpeg-turbo), so the peak memory follows the reduced size. Throws a one-line reason for anything else, and for images over the size limit
 * before spending any memory on them; callers add the file name.
 */
export function decodeImage(
  bytes: Uint8Array,
  { maxPixels = DEFAULT_MAX_PIXELS }: DecodeOptions = {},
): DecodedImage {
  const { format, width, height } = readImageHeader(bytes);
  if (width === 0 || height === 0) throw new Error(`image has zero size (${width}×${height})`);
  if (width * height > maxPixels) {
    throw new Error(
      `${width}×${height} is ${((width * height) / 1e6).toFixed(1)} megapixels, over the limit of ${maxPixels} ` +
        'pixels: shrink the image, or raise the limit with --max-pixels',
    );
  }
  if (width > MAX_SIDE || height > MAX_SIDE)
    throw new Error(
      `${width}×${height} has a side over ${MAX_SIDE} pixels, JPEG's own limit: crop or shrink it`,
    );
  const image = format === 'PNG' ? decodePng(bytes, DECODE_CAP) : decodeJpeg(bytes, DECODE_CAP, maxPixels);
  return { data: image.data, width: image.width, height: image.height, channels: 4 };
}
