import fc, { type Arbitrary } from 'fast-check';

/** Values that break sizes and counts: zero, one, the edges of signed and unsigned words. */
const EDGES = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
];

type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'word'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'remove'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number };

const edit: Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ op: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(...EDGES) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('remove' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

/** One edit of `bytes`, positions taken modulo its length; returns a new array. */
export function applyEdit(bytes: Uint8Array, e: Edit): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : e.at % n;
  const out = Uint8Array.from(bytes);
  switch (e.op) {
    case 'flip':
      if (n > 0) out[at]! ^= 1 << e.bit;
      return out;
    case 'set':
      if (n > 0) out[at] = e.value;
      return out;
    case 'word':
      if (at + 4 <= n) new DataView(out.buffer).setUint32(at, e.value);
      return out;
    case 'truncate':
      return out.slice(0, at);
    case 'insert':
      return concat(out.subarray(0, at), e.bytes, out.subarray(at));
    case 'remove':
      return concat(out.subarray(0, at), out.subarray(at + e.length));
    case 'repeat':
      return concat(out.subarray(0, at + e.length), out.subarray(at));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Valid inputs from `valid`, damaged by one to `maxEdits` edits (bit flips, edge values, cuts, insertions). */
export function damagedBytes(valid: Arbitrary<Uint8Array>, maxEdits = 4): Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(edit, { minLength: 1, maxLength: maxEdits }))
    .map(([bytes, edits]) => edits.reduce(applyEdit, bytes));
}

/** Size and leading bytes of an input, for a report. */
export function describeBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 48)).toString('hex');
  return `${bytes.length} bytes: ${head}${bytes.length > 48 ? '…' : ''}`;
}
