// Builds the static site from the fixtures with the real build script, unless an up-to-date build exists.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchFixtureFile, fixtureArtifacts, runCommand } from './fixtures.ts';
import { GALLERY, OUTPUT, REPO, SITE_DIR } from './paths.ts';
import { inputsStamp } from './stamp.ts';

const STAMP = '.twinnet-build-stamp';

/** Returns the directory of the exported site. */
export async function ensureSite(): Promise<string> {
  const site = join(GALLERY, SITE_DIR);
  const stamp = await siteStamp();
  const built = await readFile(join(site, STAMP), 'utf8').catch(() => '');
  if (built === stamp && (await stat(join(site, 'index.html')).catch(() => undefined))) return site;
  await mkdir(OUTPUT, { recursive: true });
  const log = join(OUTPUT, 'site-build.log');
  console.log(`gallery tests: building the site from the fixtures (log: ${log})`);
  await runCommand(
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

/** Every input of the build: the gallery's sources, @twinnet/core's, and the fixtures. */
const siteStamp = (): Promise<string> =>
  inputsStamp([
    join(GALLERY, 'src'),
    join(GALLERY, 'scripts'),
    join(GALLERY, 'next.config.ts'),
    join(GALLERY, 'package.json'),
    join(REPO, 'packages', 'core', 'src'),
    fixtureArtifacts(),
    benchFixtureFile(),
  ]);
