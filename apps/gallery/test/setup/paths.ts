import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GALLERY = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REPO = resolve(GALLERY, '../..');
/** Screenshots and logs of the browser tests (gitignored). */
export const OUTPUT = join(GALLERY, 'test-output');
/** Artifacts of a tiny real training run, made once and reused while valid. */
export const FIXTURES = resolve(process.env.TWINNET_GALLERY_FIXTURES ?? join(GALLERY, '.cache', 'fixtures'));
/** The fixture runs: a distance head (the one most tests use) and an MLP head, both with classes 7–9 held out. */
export const FIXTURE_RUN = 'mnist-contrastive-holdout';
export const MLP_FIXTURE_RUN = 'mnist-bce-holdout';
/** The test build of the site: its own export directory, so `out/` keeps the real artifacts' build. */
export const SITE_DIR = 'test-output/site';
