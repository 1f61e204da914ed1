// Builds the static site from the fixtures with the real build script, unless an up-to-date build exists.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { benchFixtureFile, fixtureArtifacts, run } from './fixtures.ts';
import { GALLERY, OUTPUT, REPO, SITE_DIR } from './paths.ts';

const STAMP = '.twinnet-build-stamp';

/** Returns the directory of the exported site. */
export async function ensureSite(): Promise<string> {
  const site = join(GALLERY, SITE_DIR);
  const stamp = await inputsStamp();
  const built = await readFile(join(site, STAMP), 'utf8').catch(() => '');
  if (built === stamp && (await stat(join(site, 'index.html')).catch(() => undefined))) return site;
  await mkdir(OUTPUT, { recursive: true });
  const log = join(OUTPUT, 'site-build.log');
  console.log(`gallery tests: building the site from the fixtures (log: ${log})`);
  await run(
    'pnpm',
    ['run', 'build'],
    log,
    {
      TWINNET_ARTIFACTS: fixtureArtifacts(),
      TWINNET_BENCH_HISTORY: benchFixtureFile(),
      TWINNET_GALLERY_OUT: SITE_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    GALLERY,
  );
  await writeFile(join(site, STAMP), stamp);
  return site;
}

/** A hash of every input of the build: the gallery's sources, @twinnet/core's, and the fixtures. */
async function inputsStamp(): Promise<string> {
  const roots = [
    join(GALLERY, 'src'),
    join(GALLERY, 'scripts'),
    join(GALLERY, 'next.config.ts'),
    join(GALLERY, 'package.json'),
    join(REPO, 'packages', 'core', 'src'),
    fixtureArtifacts(),
    benchFixtureFile(),
  ];
  const hash = createHash('sha256');
  for (const root of roots) {
    for (const file of await listFiles(root)) {
      const info = await stat(file);
      hash.update(`${relative(REPO, file)}\0${info.size}\0${info.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
