// `pnpm --filter gallery screenshot -- [--artifacts DIR] [--out FILE.png] [--dataset NAME] [--width PX] [--site DIR]`
//
// Builds the gallery on a directory of runs (into test-output/screenshot-site/, leaving out/ alone), serves it on
// localhost, opens the new-class demo the home page links for the dataset (its default model: the transfer run)
// in headless Chromium, gives it supports (one test image of each held-out class and a drawn symbol) and a query,
// and saves a screenshot of the demo. --site DIR skips the build and serves an export already made.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { draw, launch, STROKES } from './chromium.ts';
import { startStaticServer } from './static-server.ts';

const GALLERY = resolve(fileURLToPath(new URL('..', import.meta.url)));
const REPO = resolve(GALLERY, '../..');
/** pnpm runs the script in the gallery's folder; paths on the command line are the caller's. */
const CALLER = process.env.INIT_CWD ?? process.cwd();
const SITE = 'test-output/screenshot-site';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    artifacts: { type: 'string', default: join(REPO, 'artifacts') },
    out: { type: 'string', default: join(GALLERY, 'test-output', 'screenshots', 'new-class-demo.png') },
    dataset: { type: 'string' },
    width: { type: 'string', default: '1280' },
    site: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: pnpm --filter gallery screenshot -- [--artifacts DIR] [--out FILE.png] [--dataset mnist] [--width 1280] [--site DIR]',
  );
  process.exit(0);
}
const width = Number(values.width);
if (!Number.isInteger(width) || width < 320 || width > 3840) throw new Error(`--width: ${values.width} px?`);
const out = resolve(CALLER, values.out);

const site = values.site ? resolve(CALLER, values.site) : await build(resolve(CALLER, values.artifacts));
const server = await startStaticServer(site);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(`${server.url}/`, { waitUntil: 'load' });
  const links = page.getByTestId('new-class-link');
  const link = values.dataset ? links.and(page.locator(`[data-dataset="${values.dataset}"]`)) : links.first();
  if ((await link.count()) === 0) {
    throw new Error(
      `no new-class demo for ${values.dataset ?? 'any dataset'}: are there runs in the artifacts?`,
    );
  }
  const run = await link.getAttribute('data-run');
  console.log(`screenshot: the new-class demo's default model is ${run}`);
  await page.goto(`${server.url}${await link.getAttribute('href')}`, { waitUntil: 'load' });
  const demo = page.locator(`[data-testid=newclass-demo][data-loaded=yes][data-run="${run}"]`);
  await demo.waitFor({ timeout: 180_000 });
  await fillDemo(page);
  await mkdir(dirname(out), { recursive: true });
  // The demo's section with a margin, in page coordinates.
  const clip = await page.locator('#new-classes').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const margin = 16;
    return {
      x: Math.max(0, r.left + window.scrollX - margin),
      y: Math.max(0, r.top + window.scrollY - margin),
      width: r.width + 2 * margin,
      height: r.height + 2 * margin,
    };
  });
  await page.screenshot({ path: out, fullPage: true, clip });
  console.log(`screenshot: ${out}`);
  if (errors.length) console.warn(`screenshot: the page reported errors:\n  ${errors.join('\n  ')}`);
} finally {
  await browser.close();
  await server.close();
}

/**
 * The second test image offered of each held-out class as a support (validation classes are left without), a
 * drawn "A" as a class of its own, then the first query offered of a held-out class, which is not a support (a
 * drawn one when the run held nothing out).
 */
async function fillDemo(page: Page): Promise<void> {
  const result = page.getByTestId('newclass-result');
  const groups = page.locator('[data-testid=support-candidates][data-validation=false]');
  for (let k = 0; k < (await groups.count()); k++) {
    await groups.nth(k).getByTestId('support-candidate').nth(1).click();
  }
  await draw(page, page.getByTestId('support-pad'), STROKES.letterA);
  await page.getByTestId('add-drawn-support').click();
  const heldOut = await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-class')));
  const queries = page.getByTestId('query-candidate');
  const classes = await queries.evaluateAll((els) => els.map((e) => e.getAttribute('data-class')));
  const pick = classes.findIndex((c) => heldOut.includes(c));
  if (pick >= 0) await queries.nth(pick).click();
  else await draw(page, page.getByTestId('query-pad'), STROKES.caret);
  await result.locator('[data-testid=support-score]').first().waitFor({ timeout: 60_000 });
  const winner = await result.getAttribute('data-winner');
  const unknown = await result.getAttribute('data-unknown');
  console.log(
    `screenshot: query of class ${pick >= 0 ? classes[pick] : '(drawn)'} → ${winner}${unknown === 'true' ? ' (unknown)' : ''}`,
  );
  // Scrolls the answer into view, so the screenshot is taken of a settled page.
  await result.scrollIntoViewIfNeeded();
}

/** `pnpm run build` of the gallery on `artifacts`, into its own export directory; returns that directory. */
async function build(artifacts: string): Promise<string> {
  const log = join(GALLERY, 'test-output', 'screenshot-build.log');
  await mkdir(dirname(log), { recursive: true });
  console.log(`screenshot: building the gallery on ${artifacts} (log: ${log})`);
  const code = await new Promise<number | null>((done, fail) => {
    const stream = createWriteStream(log);
    const child = spawn('pnpm', ['run', 'build'], {
      cwd: GALLERY,
      env: {
        ...process.env,
        TWINNET_ARTIFACTS: artifacts,
        TWINNET_GALLERY_OUT: SITE,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(stream);
    child.stderr.pipe(stream);
    child.on('error', fail);
    child.on('close', (c) => stream.end(() => done(c)));
  });
  if (code !== 0) {
    const tail = (await readFile(log, 'utf8')).split('\n').slice(-30).join('\n');
    throw new Error(`the gallery's build exited with ${code}; end of ${log}:\n${tail}`);
  }
  return join(GALLERY, SITE);
}
