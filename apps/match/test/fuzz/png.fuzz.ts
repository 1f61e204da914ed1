import { deflateSync } from 'node:zlib';
import { damagedBytes, describeBytes, type FuzzSpec } from '@twinnet/fuzz';
import fc from 'fast-check';
import { encodeRawPng, fixCrcs, LAYOUTS, randomPng, scanlines } from '../png-encoder.ts';
import { isImageRefusal, runImage } from './image-target.ts';

/** A valid PNG of any layout (colour type, depth, palette, tRNS, interlace, filters), up to 24×24. */
const validPng = fc
  .record({
    layout: fc.constantFrom(...LAYOUTS),
    interlace: fc.boolean(),
    seed: fc.nat(),
    width: fc.integer({ min: 1, max: 24 }),
    height: fc.integer({ min: 1, max: 24 }),
  })
  .map(({ layout, interlace, seed, width, height }) => randomPng(layout, interlace, seed, { width, height }));

/** PNG files: valid ones; damaged anywhere; damaged with CRCs made right (so the damage is read); scanlines
 * damaged under a valid deflate stream; random bytes behind a PNG signature. */
const arbitrary = fc.oneof(
  validPng.map((png) => encodeRawPng(png)),
  damagedBytes(validPng.map((png) => encodeRawPng(png))),
  damagedBytes(validPng.map((png) => encodeRawPng(png))).map(fixCrcs),
  fc.tuple(validPng, fc.nat(), fc.nat(255)).map(([png, at, value]) => {
    const lines = scanlines(png);
    lines[at % lines.length] = value;
    return encodeRawPng(png, deflateSync(lines.subarray(0, lines.length - (at % 3))));
  }),
  fc
    .uint8Array({ maxLength: 200 })
    .map((tail) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...tail])),
);

const spec: FuzzSpec<Uint8Array> = {
  kind: 'PNG',
  arbitrary,
  run: runImage,
  isRefusal: isImageRefusal,
  describe: describeBytes,
};
export default spec;
