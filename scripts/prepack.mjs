// Runs before `pnpm pack` in each shipped package (its "prepack" script): puts the repository's LICENSE beside
// package.json, where the tarball picks it up, and refuses to pack a package whose dist/ was never built, since
// publishConfig points every export there.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
if (!existsSync('dist/index.js')) {
  console.error(`${name}: dist/index.js is missing; build it first (pnpm tarballs does, or pnpm build)`);
  process.exit(1);
}
copyFileSync(fileURLToPath(new URL('../LICENSE', import.meta.url)), 'LICENSE');
