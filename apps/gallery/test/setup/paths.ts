import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GALLERY = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REPO = resolve(GALLERY, '../..');
/** Screenshots and logs of the browser tests (gitignored). */
export const OUTPUT = join(GALLERY, 'test-output');
/** Artifacts of a tiny real training run, made once and reused while valid. */
export const FIXTURES = resolve(process.env.TWINNET_GALLERY_FIXTURES ?? join(GALLERY, '.cache', 'fixtures'));
/**
 * The fixture runs, all with classes 7–9 held out: a distance head (the one most tests use), an MLP head, and a
 * cosine head (the metric variant, which the new-class demo picks by default; validation classes 2 and 4).
 */
export const FIXTURE_RUN = 'mnist-contrastive-holdout';
export const MLP_FIXTURE_RUN = 'mnist-bce-holdout';
export const METRIC_FIXTURE_RUN = 'mnist-metric-holdout';
/**
 * A copy of the MLP run as a run written before metrics.json had `embedding`, `openSet` and cross-dataset
 * episodes.
 */
export const LEGACY_FIXTURE_RUN = 'mnist-legacy-holdout';
/** A copy of the metric run as a run written before per-count cuts and cross-dataset episodes: one 5-shot cut. */
export const SINGLE_CUT_FIXTURE_RUN = 'mnist-single-cut-holdout';
/** The test build of the site: its own export directory, so `out/` keeps the real artifacts' build. */
export const SITE_DIR = 'test-output/site';
