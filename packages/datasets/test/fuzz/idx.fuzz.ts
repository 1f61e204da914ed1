import { gzipSync } from 'node:zlib';
import { damagedBytes, describeBytes, type FuzzSpec } from '@twinnet/fuzz';
import fc from 'fast-check';
import { DatasetError } from '../../src/errors.ts';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '../../src/idx.ts';

const file = '/fuzz/mnist/train-images-idx3-ubyte';

/** A valid IDX file: labels (count) or images (count × rows × cols), small. */
const validIdx = fc
  .record({
    images: fc.boolean(),
    count: fc.nat(20),
    rows: fc.integer({ min: 1, max: 8 }),
    cols: fc.integer({ min: 1, max: 8 }),
    fill: fc.nat(255),
  })
  .map(({ images, count, rows, cols, fill }) => {
    const dims = images ? [count, rows, cols] : [count];
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(images ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC, 0);
    for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
    return new Uint8Array(
      Buffer.concat([
        header,
        Buffer.alloc(
          dims.reduce((a, b) => a * b, 1),
          fill,
        ),
      ]),
    );
  });

const gzip = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));

/** IDX files plain and gzipped: valid; damaged before or after compression; random bytes. */
const arbitrary = fc.oneof(
  validIdx,
  validIdx.map(gzip),
  { weight: 3, arbitrary: damagedBytes(validIdx) },
  { weight: 2, arbitrary: damagedBytes(validIdx).map(gzip) },
  { weight: 2, arbitrary: damagedBytes(validIdx.map(gzip)) },
  fc.uint8Array({ maxLength: 64 }),
);

const spec: FuzzSpec<Uint8Array> = {
  kind: 'IDX',
  arbitrary,
  run: (bytes) => void parseIdx(bytes, file),
  isRefusal: (error) => error instanceof DatasetError && error.message.startsWith(`${file}: `),
  describe: describeBytes,
};
export default spec;
