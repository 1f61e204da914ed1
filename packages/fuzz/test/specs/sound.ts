import fc from 'fast-check';
import { describeBytes, type FuzzSpec } from '../../src/index.ts';

/** Refuses inputs that start with 1, by name; accepts the rest. */
const spec: FuzzSpec<Uint8Array> = {
  kind: 'sound',
  arbitrary: fc.uint8Array({ maxLength: 8 }),
  run: (bytes) => {
    if (bytes[0] === 1) throw new Error('x.bin: starts with 1');
  },
  isRefusal: (error) => error instanceof Error && error.message.startsWith('x.bin: '),
  describe: describeBytes,
};
export default spec;
