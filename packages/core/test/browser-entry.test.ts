import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** A file's imports: static specifiers, and the raw argument of every dynamic import(). */
function imports(file: string): { fixed: string[]; dynamic: string[] } {
  const text = readFileSync(file, 'utf8');
  const fixed = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  const dynamic = [...text.matchAll(/\bimport\(\s*(?:\/\*[^*]*\*\/\s*)*([^)]*)\)/g)].map((m) => m[1]!.trim());
  return { fixed, dynamic };
}

/**
 * The workspace files reachable from `entry`, the outside packages they import, and every dynamic import whose
 * argument is not a string literal (how a module hides a Node-only import from bundlers).
 */
function walk(entry: string): { files: string[]; external: string[]; hidden: string[] } {
  const seen = new Set<string>();
  const external = new Set<string>();
  const hidden = new Set<string>();
  const queue = [entry];
  const follow = (spec: string, from: string) => {
    if (spec.startsWith('.')) queue.push(resolve(dirname(from), spec));
    else if (spec.startsWith('@twinnet/')) queue.push(require.resolve(spec, { paths: [dirname(from)] }));
    else external.add(spec);
  };
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { fixed, dynamic } = imports(file);
    for (const spec of fixed) follow(spec, file);
    for (const arg of dynamic) {
      const literal = /^['"`]([^'"`$]+)['"`]$/.exec(arg);
      if (literal) follow(literal[1]!, file);
      else hidden.add(`${file}: import(${arg})`);
    }
  }
  return { files: [...seen], external: [...external], hidden: [...hidden] };
}

describe("core's browser entry", () => {
  const entry = resolve(here, '../src/index.ts');
  const { files, external, hidden } = walk(entry);

  it('reaches no Node built-in, no native package and no hidden dynamic import', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(
      external.filter((s) => s.startsWith('node:') || /^(fs|os|path|child_process|worker_threads)$/.test(s)),
    ).toEqual([]);
    expect(external.filter((s) => s.includes('@twinnet/native') || s.includes('tfjs-node'))).toEqual([]);
    expect(hidden).toEqual([]);
    expect(files.filter((f) => f.includes('/packages/native/'))).toEqual([]);
  });

  it('imports only tfjs, zod and workspace code', () => {
    const allowed = /^(@tensorflow\/tfjs|@tensorflow\/tfjs-backend-wasm|@tensorflow\/tfjs-core|zod)$/;
    expect(external.filter((s) => !allowed.test(s))).toEqual([]);
  });

  it('while the Node door does reach the native kernels (the walk can see them)', () => {
    const node = walk(resolve(here, '../src/node.ts'));
    expect(node.external).toContain('node:os');
    expect(node.files.some((f) => f.includes('/packages/native/'))).toBe(true);
  });
});
