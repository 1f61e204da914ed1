// Builds the native kernels with node-gyp. It never fails the install or the build: on a machine without a C++
// compiler or oneDNN (Debian: libdnnl-dev), twinnet runs on plain wasm, and the reason is kept in
// build/error.txt for the backend's start-up line. The build is portable (binding.gyp): no -march=native.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'twinnet_native.node');
const errorFile = join(root, 'build', 'error.txt');
const sources = ['binding.gyp', 'src/addon.cc', 'src/compute.cc', 'src/kernels.h'].map((file) =>
  join(root, file),
);

if (process.env.TWINNET_NATIVE === 'off') {
  console.log('[twinnet] native kernels: not built (TWINNET_NATIVE=off)');
  process.exit(0);
}
const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs));
if (existsSync(addon) && statSync(addon).mtimeMs >= newest) {
  console.log('[twinnet] native kernels: up to date');
  process.exit(0);
}

// Node's own headers when they are installed beside it (Debian's nodejs-dev, official tarballs), so node-gyp
// needs no download; elsewhere it fetches them as usual.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const gyp = nodeGyp();
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], { cwd: root, encoding: 'utf8' })
  : { status: null, error: new Error('node-gyp not found: not installed, and npm named none') };
const leak = result.status === 0 ? sharedRouteCode() : undefined;
if (result.status === 0 && existsSync(addon) && leak === undefined) {
  rmSync(errorFile, { force: true });
  console.log('[twinnet] native kernels: built');
} else {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`;
  const reason =
    leak ??
    output.split('\n').find((line) => /error:|fatal error|not found|cannot find/i.test(line)) ??
    `node-gyp exited with ${result.status}`;
  rmSync(addon, { force: true });
  mkdirSync(dirname(errorFile), { recursive: true });
  writeFileSync(errorFile, `${reason.trim()}\n\n${output.split('\n').slice(-40).join('\n')}`);
  console.warn(`[twinnet] native kernels: not built (${reason.trim()}); twinnet will use plain wasm`);
}

/**
 * A route's object may define no global symbol but its kernel table: of an inline or template function that
 * several routes compile, the linker keeps one copy for all of them, and the AVX-512 one would then run on
 * CPUs without it. Returns the first such symbol, or undefined (also when nm is missing: nothing to check with).
 * The one exception is the C++ runtime's exception personality, which OpenMP's regions refer to: no route code.
 */
function sharedRouteCode() {
  for (const route of ['baseline', 'avx2', 'avx512']) {
    const object = join(root, 'build', 'Release', 'obj.target', `route_${route}`, 'src', 'compute.o');
    if (!existsSync(object)) continue;
    const nm = spawnSync('nm', ['--defined-only', '--extern-only', object], { encoding: 'utf8' });
    if (nm.status !== 0) return undefined;
    const table = new RegExp(` _ZN7twinnet${route.length}${route}7kernelsE$`);
    // OpenMP's outlined regions refer to the C++ runtime's exception personality: data, the same for every route.
    const runtime = / DW\.ref\.__gxx_personality_v0$/;
    const extra = nm.stdout
      .split('\n')
      .find((line) => line.trim() !== '' && !table.test(line) && !runtime.test(line));
    if (extra !== undefined) return `the ${route} route shares code with the others: ${extra.trim()}`;
  }
  return undefined;
}

/**
 * node-gyp: the workspace's own (a dev dependency), else the one npm bundles and names in npm_config_node_gyp
 * while it runs install scripts, which is how a consumer's `npm install` of the tarball builds the addon.
 */
function nodeGyp() {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    return bundled && existsSync(bundled) ? bundled : undefined;
  }
}
