import type { DecodedImage } from '@twinnet/core';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { DEFAULT_MAX_PIXELS } from './flags.ts';
import { readImageHeader } from './image-header.ts';

export interface DecodeOptions {
  /** Refuse images with more pixels than this, from the header, before decoding (default 4096 × 4096). */
  maxPixels?: number;
}

/**
 * Decodes a PNG or JPEG (recognised by its first bytes, not its name) to RGBA pixels. Throws a one-line reason
 * for anything else, and for images over the size limit before spending any memory on them; callers add the
 * file name.
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
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image =
      format === 'PNG'
        ? pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        : // The limits back up the header check: a corrupt stream cannot ask for a huge allocation either.
          jpeg.decode(bytes, {
            useTArray: true,
            formatAsRGBA: true,
            maxResolutionInMP: maxPixels / 1e6,
            maxMemoryUsageInMB: 1024,
          });
  } catch (error) {
    throw new Error(`corrupt or truncated ${format} (${(error as Error).message})`);
  }
  return {
    data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    width: image.width,
    height: image.height,
    channels: 4,
  };
}
