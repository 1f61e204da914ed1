import fc from 'fast-check';
import type { FuzzSpec } from '../../src/index.ts';

/** Never returns on an input longer than 5 bytes: a loop that waits for a byte that never comes. */
const spec: FuzzSpec<Uint8Array> = {
  kind: 'hangs',
  arbitrary: fc.uint8Array({ minLength: 0, maxLength: 8 }),
  run: (bytes) => {
    let i = 0;
    while (bytes.length > 5 && bytes[i % bytes.length] !== 256) i++;
  },
  isRefusal: () => false,
};
export default spec;
