// `pnpm tarballs [DIR]`: builds the shipped packages (dist/, and the native addon's TypeScript) and packs each
// with pnpm, which swaps in publishConfig's exports and turns workspace:* into versions, into DIR (default
// dist-tarballs/). Prints each tarball's size and file count; exits non-zero if a build or pack fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGES = ['@twinnet/datasets', '@twinnet/native', '@twinnet/core'];

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.length > 1 || args[0]?.startsWith('-')) {
  console.error('usage: pnpm tarballs [DIR]   (default: dist-tarballs/)');
  process.exit(2);
}
// Relative to where the user typed the command, not to the repository root where pnpm runs this.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm; this script is no turbo task
const out = resolve(process.env.INIT_CWD ?? process.cwd(), args[0] ?? join(root, 'dist-tarballs'));

function run(command, argv, { capture = false } = {}) {
  const result = spawnSync(command, argv, {
    cwd: root,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  });
  if (result.status !== 0) {
    console.error(
      `tarballs: \`${command} ${argv.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
  return result.stdout;
}

const filters = PACKAGES.flatMap((name) => [`--filter=${name}`]);
run('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only']);
mkdirSync(out, { recursive: true });
for (const name of readdirSync(out))
  if (/^twinnet-(core|datasets|native)-.*\.tgz$/.test(name)) rmSync(join(out, name));
for (const name of PACKAGES) {
  const stdout = run('pnpm', ['--filter', name, 'pack', '--json', '--pack-destination', out], {
    capture: true,
  });
  // The prepack script's banner comes first on stdout; the JSON report starts at the first '{' line.
  const report = JSON.parse(stdout.slice(stdout.search(/^\{/m)));
  const kB = (statSync(report.filename).size / 1024).toFixed(1);
  console.log(`${report.filename}: ${kB} kB, ${report.files.length} files`);
}
