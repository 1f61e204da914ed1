import fc, { type Arbitrary } from 'fast-check';

/** A placeholder a value edit leaves, turned into a number JSON.parse reads as Infinity. */
const OVERFLOW = '\u0000overflow\u0000';

/** Values that test a schema's edges: wrong types, empty ones, numbers at and past float ranges. */
const ODD_VALUES: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    0.5,
    1e308,
    -1e308,
    1e-320,
    3.5e38,
    2 ** 53,
    '',
    'NaN',
    [],
    {},
  ),
  fc.constant(OVERFLOW),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Every path to a value inside `value` (the root is []). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => void paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type ValueEdit = { path: number; kind: 'replace' | 'delete' | 'wrap'; value: unknown };

/** One edit at one of the paths `root` has now (an earlier edit may have removed the others). */
function applyValueEdit(root: unknown, e: ValueEdit): unknown {
  const all = paths(root);
  const path = all[e.path % all.length]!;
  if (path.length === 0) return e.kind === 'wrap' ? [root] : e.value;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (e.kind === 'replace') parent[last] = e.value;
  else if (e.kind === 'wrap') parent[last] = [parent[last]];
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const stringify = (value: unknown) =>
  JSON.stringify(value)?.replaceAll(JSON.stringify(OVERFLOW), '1e400') ?? 'null';

/**
 * JSON texts near `valid`: its values replaced by odd ones, keys deleted, values wrapped in arrays; the text
 * cut short or with a character changed; arbitrary JSON; and `valid` itself.
 */
export function damagedJson(valid: unknown): Arbitrary<string> {
  const valueEdit: Arbitrary<ValueEdit> = fc.record({
    path: fc.nat(),
    kind: fc.constantFrom('replace' as const, 'replace' as const, 'delete' as const, 'wrap' as const),
    value: ODD_VALUES,
  });
  const text = stringify(valid);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(valueEdit, { minLength: 1, maxLength: 3 })
        .map((edits) => stringify(edits.reduce(applyValueEdit, valid))),
    },
    { weight: 2, arbitrary: fc.nat(text.length).map((at) => text.slice(0, at)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(Math.max(0, text.length - 1)), fc.string({ minLength: 1, maxLength: 3 }))
        .map(([at, s]) => text.slice(0, at) + s + text.slice(at + 1)),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constant(text) },
  );
}
