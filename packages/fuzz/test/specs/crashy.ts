import fc from 'fast-check';
import { describeBytes, type FuzzSpec } from '../../src/index.ts';

/** Crashes, as a library might, on inputs longer than 3 bytes. */
const spec: FuzzSpec<Uint8Array> = {
  kind: 'crashy',
  arbitrary: fc.uint8Array({ maxLength: 8 }),
  run: (bytes) => {
    if (bytes.length > 3) (undefined as unknown as { x: number }).x;
  },
  isRefusal: () => false,
  describe: describeBytes,
};
export default spec;
