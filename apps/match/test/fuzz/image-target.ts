import { checkFigure, preprocessImage } from '@twinnet/core';
import { decodeImage } from '../../src/decode.ts';
import { prepareImage } from '../../src/inputs.ts';

/** The name every fuzzed image file goes by. */
export const IMAGE_FILE = '/fuzz/query/picture';

/**
 * What `pnpm match` says of a file it refuses: decoding and preprocessing in their own words, never a library's
 * ("corrupt or truncated PNG (unrecognised content at end of stream)" was pngjs's, and counts as a crash here).
 */
const REFUSAL = new RegExp(
  [
    '^corrupt (or truncated )?PNG: ',
    '^corrupt or truncated JPEG \\((no frame header|libjpeg-turbo stopped on an error|its header cannot be read|' +
      'its image data cannot be decoded|its frame is \\d+×\\d+, over the pixel limit|the decoder could not (start|allocate \\d+ bytes))\\)$',
    '^not a PNG or JPEG image$',
    '^empty file \\(0 bytes\\)$',
    '^image has zero size ',
    '^\\d+×\\d+ (is [\\d.]+ megapixels, over the limit|has a side over)',
    '^blank image: ',
  ].join('|'),
);

/** A refusal thrown by runImage: names the file, as `pnpm match` prints it. */
export class ImageRefusal extends Error {
  override name = 'ImageRefusal';
}

/**
 * A file's bytes through what `pnpm match` does with them (prepareImage: decode, preprocess as MNIST, check the
 * figure); a problem is thrown as the line the CLI would print, after `match: `.
 */
export function runImage(bytes: Uint8Array): void {
  const prepare = (b: Uint8Array) => {
    const image = decodeImage(b);
    const out = preprocessImage(image.data, image.width, image.height, { channels: 4 });
    checkFigure(out);
    return out;
  };
  const result = prepareImage({ path: IMAGE_FILE, name: 'picture' }, bytes, prepare);
  if ('message' in result) throw new ImageRefusal(`${result.path}: ${result.message}`);
  if (result.image.length !== 784) throw new Error(`prepared ${result.image.length} values, not 784`);
}

/** A refusal names the file and says what is wrong in the app's words; anything else is a crash. */
export function isImageRefusal(error: unknown): boolean {
  if (!(error instanceof ImageRefusal) || !error.message.startsWith(`${IMAGE_FILE}: `)) return false;
  return REFUSAL.test(error.message.slice(IMAGE_FILE.length + 2));
}
