import { checkNumber, describeRange } from '../../ranges.ts';
import type { AugmentParam } from './augmentation.ts';
import { AUGMENTATIONS, type Augmentation, AugmentationSchema } from './index.ts';

/** Every kind's parameters by name (names are unique across kinds), in registry order. */
function parameters(): Map<string, { kind: string; param: AugmentParam }> {
  const byName = new Map<string, { kind: string; param: AugmentParam }>();
  for (const kind of AUGMENTATIONS.names()) {
    for (const [name, param] of Object.entries(AUGMENTATIONS.get(kind).params)) {
      if (byName.has(name)) throw new Error(`augmentation parameter '${name}' is in two kinds`);
      byName.set(name, { kind, param: param as AugmentParam });
    }
  }
  return byName;
}

/**
 * A command line's augmentation list: `none`, or `name=value` pairs separated by commas such as
 * `rotation=15,scale=0.1,shift=2,thickness=0.3`. Each name belongs to one kind; a kind is in the list when one of
 * its parameters is named (the others are 0), kinds in registry order. Throws a RangeError saying what is wrong.
 */
export function parseAugmentations(text: string): Augmentation[] {
  const trimmed = text.trim();
  if (trimmed === 'none') return [];
  const known = parameters();
  const chosen = new Map<string, Record<string, number>>();
  for (const part of trimmed.split(',')) {
    const [name = '', value, extra] = part.split('=').map((s) => s.trim());
    const entry = known.get(name);
    if (!entry || value === undefined || extra !== undefined)
      throw new RangeError(
        `expects 'none' or name=value pairs separated by commas, names ${[...known.keys()].join(', ')}; got '${part}'`,
      );
    const number = checkNumber(name, value === '' ? Number.NaN : Number(value), entry.param, `'${value}'`);
    const params = chosen.get(entry.kind) ?? {};
    if (name in params) throw new RangeError(`${name} is given twice`);
    chosen.set(entry.kind, { ...params, [name]: number });
  }
  return AUGMENTATIONS.names()
    .filter((kind) => chosen.has(kind))
    .map((kind) => {
      const zeros = Object.fromEntries(Object.keys(AUGMENTATIONS.get(kind).params).map((name) => [name, 0]));
      return AugmentationSchema.parse({ kind, ...zeros, ...chosen.get(kind) });
    });
}

/** One help line per parameter: `rotation  (affine) rotation, up to … : a number from 0 to 45`. */
export function describeAugmentParams(): string[] {
  return [...parameters()].map(
    ([name, { kind, param }]) => `${name} (${kind}): ${param.help}; ${describeRange(param)}`,
  );
}
