import { damagedBytes, describeBytes, type FuzzSpec } from '@twinnet/fuzz';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { isImageRefusal, runImage } from './image-target.ts';

/**
 * A corpus of baseline JPEGs (jpeg-js's encoder) of random pixels, 1 to 40 pixels a side, at every quality:
 * encoded once (an encode takes about 60 ms), then drawn from and damaged.
 */
const corpus = fc
  .sample(
    fc.record({
      width: fc.integer({ min: 1, max: 40 }),
      height: fc.integer({ min: 1, max: 40 }),
      quality: fc.integer({ min: 1, max: 100 }),
      pixels: fc.uint8Array({ minLength: 40 * 40 * 4, maxLength: 40 * 40 * 4 }),
    }),
    { seed: 25, numRuns: 48 },
  )
  .map(({ width, height, quality, pixels }) => {
    const data = Buffer.from(pixels.subarray(0, width * height * 4));
    return new Uint8Array(jpeg.encode({ data, width, height }, quality).data);
  });
const validJpeg = fc.constantFrom(...corpus);

/** JPEG files: valid ones, damaged ones, and random bytes behind a JPEG signature. */
const arbitrary = fc.oneof(
  validJpeg,
  { weight: 3, arbitrary: damagedBytes(validJpeg) },
  fc.uint8Array({ maxLength: 300 }).map((tail) => Uint8Array.from([0xff, 0xd8, 0xff, ...tail])),
);

const spec: FuzzSpec<Uint8Array> = {
  kind: 'JPEG',
  arbitrary,
  run: runImage,
  isRefusal: isImageRefusal,
  describe: describeBytes,
};
export default spec;
