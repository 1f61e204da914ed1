// The gallery in a real browser: headless Chromium against the static export of tiny real training runs, at a
// desktop and a phone width. Screenshots go to test-output/screenshots/. Nothing here asserts a wall-clock time
// (the machine is shared): page loads and query latencies are recorded in test-output/latency.json as data.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Metrics, predictsSame, preset, type Umap } from '@twinnet/core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { percent } from '../src/lib/format.ts';
import { draw, launch, openPage, SCREENSHOTS, STROKES, screenshot, WIDTHS } from './setup/browser.ts';
import { FIXTURE_POINTS, fixtureArtifacts } from './setup/fixtures.ts';
import {
  FIXTURE_RUN,
  LEGACY_FIXTURE_RUN,
  METRIC_FIXTURE_RUN,
  MLP_FIXTURE_RUN,
  OUTPUT,
  SINGLE_CUT_FIXTURE_RUN,
} from './setup/paths.ts';

/** The metric preset's tower, as the fixture run was trained with it. */
const METRIC_TOWER = preset('mnist', 'metric', true).tower;

const baseUrl = inject('baseUrl');
const pageUrl = (run: string) => `${baseUrl}/runs/${run}/`;
const runUrl = pageUrl(FIXTURE_RUN);
const demoUrl = (run: string) => `${baseUrl}/runs/${run}/one-shot/`;
const UNSEEN = ['7', '8', '9'];
/** Every fixture run holds 7–9 out; the metric run's selection fit also kept 1, 2 and 4 out for its choices. */
const HOLDOUT_RUNS = [
  FIXTURE_RUN,
  MLP_FIXTURE_RUN,
  METRIC_FIXTURE_RUN,
  LEGACY_FIXTURE_RUN,
  SINGLE_CUT_FIXTURE_RUN,
];

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Page loads and per-query latencies measured in the page, for the report only: never asserted. */
const latencies: Record<string, number[]> = {};
afterAll(async () => {
  if (Object.keys(latencies).length === 0) return;
  await writeFile(join(OUTPUT, 'latency.json'), `${JSON.stringify(latencies, null, 1)}\n`);
  for (const [key, ms] of Object.entries(latencies)) console.log(`gallery: ${key}: ${summary(ms)}`);
});

describe.each(WIDTHS)('at %i px', (width) => {
  it('home lists the runs and the bench history', async () => {
    const { page, errors } = await openPage(browser, width);
    await page.goto(baseUrl, { waitUntil: 'load' });
    latencies[`home page load, ${width} px`] = [await loadTime(page)];
    const rows = page.getByTestId('run-row');
    await expect.poll(() => rows.count()).toBe(HOLDOUT_RUNS.length);
    const row = rows.filter({ hasText: FIXTURE_RUN });
    // An in-batch epoch: ⌈2 × 512 / 64⌉ steps of 7 seen classes × ⌊64 / 7⌋ images.
    await expect
      .poll(() => row.textContent())
      .toMatch(
        /contrastive \(small tower, distance head\)[\s\S]*1 epoch × 16 steps × 63 images \(in-batch\)/,
      );
    await expect.poll(() => row.textContent()).toMatch(/3-way 1-shot unseen.*raw pixels \d+\.\d%/);
    await expect
      .poll(() => rows.filter({ hasText: MLP_FIXTURE_RUN }).textContent())
      .toMatch(/bce \(deep tower, mlp head\)/);
    await expect
      .poll(() => rows.filter({ hasText: METRIC_FIXTURE_RUN }).textContent())
      .toMatch(new RegExp(`metric \\(${METRIC_TOWER.kind} tower, cosine head\\)`));
    // The new-class demo of MNIST is the transfer run's, and the transfer table is one click away.
    const newClasses = page.getByTestId('new-class-link');
    expect(await newClasses.count()).toBe(1);
    expect(await newClasses.getAttribute('data-run')).toBe(METRIC_FIXTURE_RUN);
    expect(await newClasses.getAttribute('href')).toBe(`/runs/${METRIC_FIXTURE_RUN}/one-shot/#new-classes`);
    expect(await page.getByTestId('transfer-link').getAttribute('href')).toBe('/transfer/');
    await page.getByTestId('bench-chart').waitFor();
    expect(await page.getByText('1 line(s) of bench/history.jsonl could not be read').count()).toBe(1);
    await screenshot(page, `home-${width}`);
    await row.getByRole('link', { name: FIXTURE_RUN }).click();
    await page.waitForURL(runUrl);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('run page: the scatter draws every point, toggles classes, zooms and shows a tooltip', async () => {
    const { page, errors } = await openPage(browser, width);
    await page.goto(runUrl, { waitUntil: 'load' });
    const canvas = page.getByTestId('umap-canvas');
    const drawn = () => canvas.getAttribute('data-points-drawn').then(Number);
    await expect.poll(drawn, { timeout: 30_000 }).toBe(FIXTURE_POINTS);

    // Hiding a class removes exactly its points; showing it again brings them back.
    const zero = page.locator('.legend-item[data-class="0"]');
    const zeros = Number(await zero.getAttribute('data-count'));
    await zero.click();
    await expect.poll(drawn).toBe(FIXTURE_POINTS - zeros);
    expect(await zero.getAttribute('aria-pressed')).toBe('false');
    await zero.click();
    await expect.poll(drawn).toBe(FIXTURE_POINTS);

    // Zooming in pushes points out of view; resetting brings them all back.
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
    await expect.poll(drawn).toBeLessThan(FIXTURE_POINTS);
    await page.getByRole('button', { name: 'reset zoom' }).click();
    await expect.poll(drawn).toBe(FIXTURE_POINTS);

    // Hover a drawn point: the tooltip shows its image and its nearest neighbours.
    await hoverPoint(page, canvas);
    const tooltip = page.getByTestId('umap-tooltip');
    await tooltip.waitFor();
    await expect.poll(() => tooltip.locator('canvas').count()).toBe(6);
    expect(await tooltip.textContent()).toMatch(/test image #\d+[\s\S]*nearest in embedding space/);
    await screenshot(page, `run-tooltip-${width}`, { fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('run page: grid filters change the shown pairs; curves, histogram and ROC are drawn', async () => {
    const { page, errors } = await openPage(browser, width);
    await page.goto(runUrl, { waitUntil: 'load' });
    latencies[`run page load, ${width} px`] = [await loadTime(page)];
    const cards = page.getByTestId('pair-card');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(24);
    const shown = () => cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-pair')).join(','));
    const attribute = (name: string) =>
      cards.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);
    const all = await shown();

    await page.getByRole('tab', { name: 'Errors' }).click();
    await expect.poll(shown).not.toBe(all);
    expect(new Set(await attribute('data-error'))).toEqual(new Set(['true']));
    const errorsShown = await shown();

    await page.getByRole('tab', { name: 'Hardest positives' }).click();
    await expect.poll(shown).not.toBe(errorsShown);
    expect(new Set(await attribute('data-same'))).toEqual(new Set(['true']));
    const positives = await shown();

    await page.getByRole('tab', { name: 'Hardest negatives' }).click();
    await expect.poll(shown).not.toBe(positives);
    expect(new Set(await attribute('data-same'))).toEqual(new Set(['false']));

    await page.getByRole('tab', { name: 'All' }).click();
    await expect.poll(shown).toBe(all);

    for (const title of [
      'Loss per epoch',
      'Pair accuracy per epoch',
      'Distance of same and different pairs',
    ]) {
      expect(await page.getByRole('img', { name: title }).count()).toBe(1);
    }
    expect(await page.getByRole('img', { name: /ROC curve \(AUC 0\.\d{4}\)/ }).count()).toBe(1);
    await screenshot(page, `run-${width}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('transfer table: unseen-class episodes beside raw pixels, open-set figures, old runs too', async () => {
    const { page, errors } = await openPage(browser, width);
    await page.goto(baseUrl, { waitUntil: 'load' });
    await page.getByTestId('transfer-link').click();
    await page.waitForURL(`${baseUrl}/transfer/`);
    const rows = page.getByTestId('transfer-row');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run')))).toEqual(
      [...HOLDOUT_RUNS].sort(),
    );
    const metrics = await fixtureMetrics(METRIC_FIXTURE_RUN);
    for (const run of HOLDOUT_RUNS) {
      const cells = rows.and(page.locator(`[data-run="${run}"]`)).getByTestId('transfer-cell');
      // 3-way 1-shot and 5-shot, each beside raw pixels on the same episodes.
      expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual([
        '3-way 1-shot',
        '3-way 5-shot',
      ]);
      for (const name of ['data-accuracy', 'data-pixels']) {
        const values = await cells.evaluateAll((els, n) => els.map((e) => Number(e.getAttribute(n))), name);
        expect(values.every((v) => v > 0 && v <= 1)).toBe(true);
      }
    }
    const row = (run: string) => rows.and(page.locator(`[data-run="${run}"]`));
    // The metric run: its figures as metrics.json has them, the cut on cosine similarity, validation classes.
    const metric = row(METRIC_FIXTURE_RUN);
    const [oneShot] = await metric
      .getByTestId('transfer-cell')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-accuracy'))));
    expect(oneShot).toBeCloseTo(metrics.oneShot!.unseen[0]!.accuracy, 10);
    // Open set at 1 and at 5 supports: each count's own cut and its figures on the held-out test classes.
    const openSet = (run: string) => row(run).getByTestId('open-set-at');
    expect(await cutAttributes(openSet(METRIC_FIXTURE_RUN))).toEqual(
      [1, 5].map((k) => {
        const cut = cutOf(metrics, k);
        return [k, cut.threshold, cut.test!.auroc];
      }),
    );
    for (const [k, cell] of (await openSet(METRIC_FIXTURE_RUN).all()).entries()) {
      const cut = cutOf(metrics, [1, 5][k]!);
      expect(await cell.getByTestId('unknown-rates').textContent()).toBe(
        `unknown ${percent(cut.test!.supportedUnknown)} with supports, ${percent(cut.test!.unsupportedUnknown)} without`,
      );
      expect(await cell.getByTestId('open-set-cut').textContent()).toBe(
        `cut: cosine similarity > ${cut.threshold.toFixed(3)}`,
      );
    }
    const { test } = cutOf(metrics, 1);
    expect(await row(METRIC_FIXTURE_RUN).textContent()).toContain(
      `for best F1 on validation; ${test!.episodes} test episodes, ${test!.supportedWays} of ${test!.classes.length} classes with supports`,
    );
    // Another dataset's 10-way 1-shot beside raw pixels on the same episodes.
    await expectCrossDataset(row(METRIC_FIXTURE_RUN), metrics);
    await expectCrossDataset(row(FIXTURE_RUN), await fixtureMetrics(FIXTURE_RUN));
    expect(await metric.getByTestId('validation-classes').textContent()).toBe(
      'validation: 1, 2, 4, then refit on all seen classes',
    );
    // A run written before per-count cuts: its one 5-shot cut, and why there is no 1-shot one.
    const single = await fixtureMetrics(SINGLE_CUT_FIXTURE_RUN);
    expect(await cutAttributes(openSet(SINGLE_CUT_FIXTURE_RUN))).toEqual([
      [1, null, null],
      [5, single.openSet!.threshold, single.openSet!.test!.auroc],
    ]);
    expect(await openSet(SINGLE_CUT_FIXTURE_RUN).first().textContent()).toBe(
      '— (run written before per-count cuts: its 5-shot cut served every count)',
    );
    expect(await openSet(SINGLE_CUT_FIXTURE_RUN).last().getByTestId('open-set-cut').textContent()).toBe(
      `cut: cosine similarity > ${single.openSet!.threshold.toFixed(3)}, the one cut for every count`,
    );
    // Runs without validation classes, and runs written before the open-set fields, say why there is no cut.
    for (const [run, why] of [
      [FIXTURE_RUN, '— (no validation classes to calibrate on)'],
      [LEGACY_FIXTURE_RUN, '— (run written before open-set calibration)'],
    ] as const) {
      expect(await openSet(run).allTextContents()).toEqual([why, why]);
    }
    for (const run of [SINGLE_CUT_FIXTURE_RUN, LEGACY_FIXTURE_RUN]) {
      expect(await row(run).getByTestId('cross-dataset').textContent()).toBe(
        '— (run written before cross-dataset episodes)',
      );
    }
    expect(await row(LEGACY_FIXTURE_RUN).getByTestId('validation-classes').textContent()).toBe(
      'validation: none',
    );
    await screenshot(page, `transfer-${width}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('one-shot demo (distance head): every class scored; new classes from picked and drawn examples', () =>
    demoTest(FIXTURE_RUN, width));
});

it('run page of a cosine-head run: similarity labels, validation-class transfer per epoch, open set', async () => {
  const { page, errors } = await openPage(browser, WIDTHS[0]);
  const fetched = requests(page);
  await page.goto(pageUrl(METRIC_FIXTURE_RUN), { waitUntil: 'load' });
  for (const title of [
    'Cosine similarity of same and different pairs',
    'Transfer to validation classes per epoch',
  ]) {
    expect(await page.getByRole('img', { name: title }).count()).toBe(1);
  }
  const transfer = page.getByTestId('val-transfer');
  expect(await transfer.count()).toBe(1);
  expect(Number(await transfer.getAttribute('data-accuracy'))).toBeGreaterThan(0);
  // The summary: the open set at 1 and at 5 supports, and the other dataset beside raw pixels.
  const metrics = await fixtureMetrics(METRIC_FIXTURE_RUN);
  const summary = page.getByTestId('open-set-summary');
  expect(await cutAttributes(summary.getByTestId('open-set-at'))).toEqual(
    [1, 5].map((k) => [k, cutOf(metrics, k).threshold, cutOf(metrics, k).test!.auroc]),
  );
  expect(await summary.textContent()).toMatch(
    /^1-shot: AUROC \d\.\d{3} \(validation \d\.\d{3}\)unknown [\d.]+% with supports, [\d.]+% withoutcut: cosine similarity > \d\.\d{3}5-shot: AUROC/,
  );
  await expectCrossDataset(page.locator('.summary'), metrics);
  expect(metrics.embedding!.dim).toBe(METRIC_TOWER.embeddingDim + 4 * 4 * 128);
  expect(await page.locator('.summary').textContent()).toMatch(
    new RegExp(
      // The width matching reads (the preset's readout: pooled features and the map beside them).
      `${metrics.embedding!.dim}-d, L2-normalised, cosine similarity[\\s\\S]*validation classes1, 2, 4`,
    ),
  );
  const cards = page.getByTestId('pair-card');
  await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(24);
  expect(await cards.first().textContent()).toMatch(/cosine similarity -?\d\.\d{3}/);
  // Neighbours in the scatter are the run's own: by cosine similarity.
  const tooltip = await hoverScatter(page, 500);
  expect(await tooltip.textContent()).toMatch(/nearest in embedding space \(cosine similarity\)/);
  const similarities = await tooltip
    .getByTestId('neighbour-value')
    .evaluateAll((els) => els.map((e) => Number(e.textContent)));
  expect(similarities).toHaveLength(5);
  expect(similarities.every((v) => v >= -1 && v <= 1)).toBe(true);
  expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
  // They are the run's exported neighbour graph: the page never fetched the embeddings themselves.
  const { hovered, ...neighbours } = await tooltipNeighbours(tooltip);
  expect(neighbours).toEqual(storedNeighbours(await fixtureUmap(METRIC_FIXTURE_RUN), hovered));
  expect(fetched.some((url) => url.endsWith('umap.json'))).toBe(true);
  expect(fetched.filter((url) => url.endsWith('embeddings.f32'))).toEqual([]);
  await screenshot(page, `run-${METRIC_FIXTURE_RUN}-1280`);
  expect(errors).toEqual([]);
  await page.close();
});

it('run page of a run written before validation classes: no transfer column, no open set', async () => {
  const { page, errors } = await openPage(browser, WIDTHS[0]);
  await page.goto(pageUrl(LEGACY_FIXTURE_RUN), { waitUntil: 'load' });
  expect(await page.getByRole('img', { name: 'Logit of same and different pairs' }).count()).toBe(1);
  expect(await page.getByRole('img', { name: 'Transfer to validation classes per epoch' }).count()).toBe(0);
  expect(await page.getByTestId('epoch-row').count()).toBe(1);
  expect(await page.getByTestId('val-transfer').count()).toBe(0);
  expect(await page.getByTestId('open-set-summary').count()).toBe(0);
  expect(await page.getByTestId('open-set-section').count()).toBe(0);
  expect(await page.locator('.summary').textContent()).toMatch(/64-d, MLP head[\s\S]*validation classesnone/);
  expect(await page.locator('.summary').getByTestId('cross-dataset').textContent()).toBe(
    '— (run written before cross-dataset episodes)',
  );
  // Its umap.json predates the neighbour graph: the page scans embeddings.f32 and finds the neighbours the
  // trainer stored for the same embeddings in the run it was copied from.
  expect((await fixtureUmap(LEGACY_FIXTURE_RUN)).neighbours).toBeUndefined();
  const tooltip = await hoverScatter(page);
  await expect.poll(() => tooltip.getByTestId('neighbour-value').count(), { timeout: 30_000 }).toBe(5);
  const { hovered, ...neighbours } = await tooltipNeighbours(tooltip);
  expect(neighbours).toEqual(storedNeighbours(await fixtureUmap(MLP_FIXTURE_RUN), hovered));
  expect(errors).toEqual([]);
  await page.close();
});

it('run page of a transfer run: the cut curve per support count, as metrics.json has it', async () => {
  const { page, errors } = await openPage(browser, WIDTHS[0]);
  await page.goto(pageUrl(METRIC_FIXTURE_RUN), { waitUntil: 'load' });
  const { cuts } = (await fixtureMetrics(METRIC_FIXTURE_RUN)).openSet!;
  const charts = page.getByTestId('cut-curve');
  expect(await charts.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-shots'))))).toEqual(
    cuts!.map((c) => c.shots),
  );
  for (const cut of cuts!) {
    const chart = page.locator(`[data-testid=cut-curve][data-shots="${cut.shots}"]`);
    expect(await chart.getByRole('img', { name: new RegExp(`^${cut.shots}-shot cut curve`) }).count()).toBe(
      1,
    );
    // Every point of the thinned validation sweep, precision and recall against the cut.
    for (const series of ['precision', 'recall'] as const) {
      const dots = await chart
        .locator(`g[data-series="${series}"] circle`)
        .evaluateAll((els) =>
          els.map((e) => [Number(e.getAttribute('data-x')), Number(e.getAttribute('data-y'))]),
        );
      expect(dots).toEqual(cut.curve.map((p) => [p.threshold, p[series]]));
    }
    // The chosen cut, with its precision and recall on the same validation episodes.
    const mark = chart.getByTestId('chart-mark');
    expect(Number(await mark.getAttribute('data-x'))).toBe(cut.threshold);
    expect(await mark.textContent()).toMatch(new RegExp(`^cut ${cut.threshold.toFixed(3)}`));
    const rings = await mark
      .locator('circle')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-series'), Number(e.getAttribute('data-y'))]),
      );
    expect(rings).toEqual([
      ['precision', cut.validation.precision],
      ['recall', cut.validation.recall],
    ]);
  }
  const section = page.getByTestId('open-set-section');
  expect(await section.textContent()).toMatch(
    /episodes on validation classes \(1, 2, 4\) that the selection fit never trained on/,
  );
  await mkdir(SCREENSHOTS, { recursive: true });
  await section.screenshot({ path: join(SCREENSHOTS, `cut-curves-${METRIC_FIXTURE_RUN}-1280.png`) });
  expect(errors).toEqual([]);
  await page.close();
});

it('run page of a run written before per-count cuts: its one cut with a note, the 1-shot cell says why', async () => {
  const { page, errors } = await openPage(browser, WIDTHS[0]);
  await page.goto(pageUrl(SINGLE_CUT_FIXTURE_RUN), { waitUntil: 'load' });
  const { openSet } = await fixtureMetrics(SINGLE_CUT_FIXTURE_RUN);
  expect(await page.getByTestId('cut-curve').count()).toBe(0);
  const single = page.getByTestId('cut-single');
  expect(Number(await single.getAttribute('data-threshold'))).toBe(openSet!.threshold);
  expect(await single.getAttribute('data-shots')).toBe('5');
  expect(await single.textContent()).toContain(
    `One cut: cosine similarity > ${openSet!.threshold.toFixed(3)}, chosen at 5 supports per class for best F1`,
  );
  expect(await page.getByTestId('cut-note').textContent()).toMatch(
    /^This run was written before per-count cuts/,
  );
  const summary = page.getByTestId('open-set-summary');
  expect(await cutAttributes(summary.getByTestId('open-set-at'))).toEqual([
    [1, null, null],
    [5, openSet!.threshold, openSet!.test!.auroc],
  ]);
  expect(await summary.getByTestId('open-set-at').first().textContent()).toBe(
    '1-shot: — (run written before per-count cuts: its 5-shot cut served every count)',
  );
  expect(await page.locator('.summary').getByTestId('cross-dataset').textContent()).toBe(
    '— (run written before cross-dataset episodes)',
  );
  // Its matcher has the one cut for every count of supports, and the demo's legend says so.
  await page.goto(demoUrl(SINGLE_CUT_FIXTURE_RUN), { waitUntil: 'load' });
  await page.getByTestId('demos').waitFor({ timeout: 60_000 });
  const legend = page.getByTestId('score-legend').first();
  await legend.waitFor({ timeout: 60_000 });
  expect(await legend.getAttribute('data-cut-shots')).toBe('');
  expect(Number(await legend.getAttribute('data-cut'))).toBe(openSet!.threshold);
  expect(await legend.textContent()).toMatch(/the run was written before per-count cuts/);
  expect(errors).toEqual([]);
  await page.close();
});

// The MLP head is matched through head/, the cosine head by similarity: the same demos, at one width.
it('one-shot demo (MLP head): every class scored; new classes from picked and drawn examples', () =>
  demoTest(MLP_FIXTURE_RUN, WIDTHS[0]));

it('one-shot demo (cosine head): similarities in [-1, 1]; the run is the new-class default', () =>
  demoTest(METRIC_FIXTURE_RUN, WIDTHS[0]));

/** What a run's matcher measures, by the fixture run: the cosine head's values are similarities in [-1, 1]. */
const inRange = (run: string) => (v: number) =>
  Number.isFinite(v) && (run !== METRIC_FIXTURE_RUN || (v >= -1 && v <= 1));

/**
 * The demos on one run: a drawing is scored against one example of every class by the page's run. New classes
 * start with the dataset's transfer run (the metric fixture): the unseen classes' test images become supports and
 * a picked query goes to one of them; then the page's own run is picked, the supports stay, and a drawn symbol
 * becomes a class of its own.
 */
async function demoTest(run: string, width: number): Promise<void> {
  const { page, errors } = await openPage(browser, width);
  await page.goto(demoUrl(run), { waitUntil: 'load' });
  await page.getByTestId('demos').waitFor({ timeout: 60_000 });

  // Draw a "7" with the mouse: every class gets a distance, similarity or score.
  const pad = page.getByTestId('oneshot-pad');
  const scores = page.getByTestId('class-scores');
  await draw(page, pad, STROKES.seven);
  await expect.poll(() => scores.getAttribute('data-answered')).toBe('yes');
  const values = await page
    .getByTestId('class-score')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))));
  expect(values).toHaveLength(await classCount(run));
  expect(values.every(inRange(run))).toBe(true);
  expect(await page.getByTestId('oneshot-verdict').textContent()).toMatch(/Most like \S/);
  const measure = run === METRIC_FIXTURE_RUN ? 'similarity' : run === FIXTURE_RUN ? 'distance' : 'score';
  expect(await page.getByTestId('score-legend').first().getAttribute('data-measure')).toBe(measure);
  // One example per class: a run with per-count cuts cuts every class at its 1-shot cut, the others at the
  // threshold chosen on validation pairs.
  const metrics = await fixtureMetrics(run);
  const oneShotCut = metrics.openSet ? cutOf(metrics, 1).threshold : undefined;
  await expectCut(page.getByTestId('score-legend').first(), page.getByTestId('class-score'), oneShotCut);

  // More strokes, each answered anew; the page's own timing of each query is kept as data.
  const ms = [Number(await scores.getAttribute('data-latency-ms'))];
  for (let k = 0; k < 6; k++) {
    const before = await scores.getAttribute('data-answer');
    await draw(page, pad, [
      [0.3 + 0.05 * k, 0.4],
      [0.35 + 0.05 * k, 0.6],
    ]);
    await expect.poll(() => scores.getAttribute('data-answer')).not.toBe(before);
    ms.push(Number(await scores.getAttribute('data-latency-ms')));
  }
  const backend = await page.getByTestId('demos').getAttribute('data-backend');
  latencies[`drawn query, ${run}, ${width} px, ${backend}`] = ms;

  // New classes, with the transfer run by default: it never trained on 7–9 (held out); 1, 2 and 4 chose its cut in
  // a selection fit, then its final model trained on them too, so they are not offered as new.
  const picker = page.getByTestId('newclass-model');
  expect(await picker.inputValue()).toBe(METRIC_FIXTURE_RUN);
  const demo = page.getByTestId('newclass-demo');
  await expect.poll(() => demo.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('yes');
  const offered = page.getByTestId('support-candidates');
  expect(await offered.evaluateAll((els) => els.map((e) => e.getAttribute('data-class')))).toEqual(UNSEEN);
  for (const label of UNSEEN) {
    await page.locator(`[data-testid=support-candidate][data-class="${label}"]`).first().click();
  }
  const supports = page.getByTestId('supports').locator('li');
  await expect.poll(() => supports.count()).toBe(UNSEEN.length);
  const result = page.getByTestId('newclass-result');
  await page
    .locator('[data-testid=query-candidate]:is([data-class="7"], [data-class="8"], [data-class="9"])')
    .first()
    .click();
  await expect.poll(() => result.getAttribute('data-winner')).toMatch(/^[789]$/);
  const similarities = await result
    .getByTestId('support-score')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))));
  expect(similarities).toHaveLength(UNSEEN.length);
  expect(similarities.every(inRange(METRIC_FIXTURE_RUN))).toBe(true);
  expect(await result.getByTestId('score-legend').getAttribute('data-measure')).toBe('similarity');
  // One support per class: the transfer run's 1-shot cut, which also decides unknown.
  const transferCut = cutOf(await fixtureMetrics(METRIC_FIXTURE_RUN), 1).threshold;
  await expectCut(result.getByTestId('score-legend'), result.getByTestId('support-score'), transferCut);
  await expectVerdictByCut(result, transferCut);

  // The page's own run, picked: the supports stay and are embedded by it.
  if (run !== METRIC_FIXTURE_RUN) {
    await picker.selectOption(run);
    await expect.poll(() => demo.getAttribute('data-run')).toBe(run);
    await expect.poll(() => demo.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('yes');
    expect(new URL(page.url()).searchParams.get('model')).toBe(run);
    await expect.poll(() => supports.count()).toBe(UNSEEN.length);
    await page.getByTestId('query-candidate').first().click();
    await expect.poll(() => result.getAttribute('data-winner')).toMatch(/^[789]$/);
    expect(await result.getByTestId('score-legend').getAttribute('data-measure')).toBe(measure);
  }

  // A drawn symbol becomes a fourth class, and a drawn query is answered against all four.
  await draw(page, page.getByTestId('support-pad'), STROKES.letterA);
  await page.getByTestId('add-drawn-support').click();
  await expect.poll(() => supports.count()).toBe(UNSEEN.length + 1);
  const before = await result.getAttribute('data-answer');
  await draw(page, page.getByTestId('query-pad'), STROKES.caret);
  await expect.poll(() => result.getAttribute('data-answer')).not.toBe(before);
  await expect.poll(() => result.getAttribute('data-winner')).toMatch(/^([789]|A)$/);
  const shown = await result
    .getByTestId('support-score')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))));
  expect(shown).toHaveLength(UNSEEN.length + 1);
  expect(shown.every(inRange(run))).toBe(true);
  latencies[`new-class query, ${run}, ${width} px`] = [Number(await result.getAttribute('data-latency-ms'))];

  await screenshot(page, `one-shot-${run}-${width}`);
  expect(errors).toEqual([]);
  await page.close();
}

/** How many classes the fixture run's dataset has, as its metrics.json says. */
const classCount = async (run: string): Promise<number> => (await fixtureMetrics(run)).classNames.length;

/** Navigation start to the end of the load event, as the browser measured it. */
function loadTime(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return nav!.loadEventEnd - nav!.startTime;
  });
}

/** Waits for the scatter to draw `points` points (some, when not given), hovers one and returns its tooltip. */
async function hoverScatter(page: Page, points?: number): Promise<Locator> {
  const canvas = page.getByTestId('umap-canvas');
  const drawn = expect.poll(() => canvas.getAttribute('data-points-drawn').then(Number), { timeout: 30_000 });
  await (points === undefined ? drawn.toBeGreaterThan(0) : drawn.toBe(points));
  await hoverPoint(page, canvas);
  const tooltip = page.getByTestId('umap-tooltip');
  await tooltip.waitFor();
  return tooltip;
}

/** Moves the mouse onto a drawn point, found by reading the canvas's pixels. */
async function hoverPoint(page: Page, canvas: Locator): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const found = await canvas.evaluate((el: HTMLCanvasElement) => {
    const { data, width, height } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
    // Scan from the centre outwards along rows, for an opaque pixel well inside a dot.
    for (let r = 0; r < height / 2; r += 2) {
      for (const y of [Math.floor(height / 2) + r, Math.floor(height / 2) - r]) {
        for (let x = 0; x < width; x++) {
          if (data[4 * (y * width + x) + 3]! > 160) {
            const scale = el.getBoundingClientRect().width / width;
            return { x: (x + 1) * scale, y: y * scale };
          }
        }
      }
    }
    return undefined;
  });
  expect(found).toBeDefined();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + found!.x, box.y + found!.y);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const summary = (ms: number[]) =>
  `median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms over ${ms.length} (${ms.map((v) => v.toFixed(1)).join(', ')})`;

/** A fixture run's metrics.json. */
async function fixtureMetrics(run: string): Promise<Metrics> {
  return JSON.parse(await readFile(join(fixtureArtifacts(), run, 'metrics.json'), 'utf8')) as Metrics;
}

/** A run's open-set cut at `shots` supports. */
const cutOf = (m: Metrics, shots: number) => m.openSet!.cuts!.find((c) => c.shots === shots)!;

/** Shots, cut and test AUROC of open-set figures (null where a cell says why there is none). */
const cutAttributes = (cells: Locator) =>
  cells.evaluateAll((els) =>
    els.map((e) =>
      ['data-shots', 'data-threshold', 'data-auroc'].map((n) => {
        const v = e.getAttribute(n);
        return v === '' || v === null ? null : Number(v);
      }),
    ),
  );

/** The other dataset's episodes beside raw pixels, as metrics.json has them. */
async function expectCrossDataset(where: Locator, m: Metrics): Promise<void> {
  const cells = where.getByTestId('cross-dataset');
  expect(
    await cells.evaluateAll((els) =>
      els.map((e) => [
        e.getAttribute('data-dataset'),
        Number(e.getAttribute('data-accuracy')),
        Number(e.getAttribute('data-pixels')),
      ]),
    ),
  ).toEqual(m.oneShot!.crossDataset!.map((c) => [c.dataset, c.result.accuracy, c.rawPixels.accuracy]));
  expect(await cells.first().textContent()).toMatch(/^fashion-mnist 10-way 1-shot: \d+\.\d%/);
}

/**
 * The legend names the 1-shot cut (one example per class) or, for runs without an open set, the threshold of
 * validation pairs; every row is marked against the cut its label got.
 */
async function expectCut(legend: Locator, rows: Locator, oneShotCut: number | undefined): Promise<void> {
  expect(await legend.getAttribute('data-cut-shots')).toBe(oneShotCut === undefined ? '' : '1');
  if (oneShotCut !== undefined) {
    expect(Number(await legend.getAttribute('data-cut'))).toBe(oneShotCut);
    expect(await legend.textContent()).toContain(
      `the run's 1-shot open-set cut, ${oneShotCut.toFixed(3)}, counts as a match (✓): the cut for labels of 1 support`,
    );
  } else {
    expect(await legend.textContent()).toMatch(/the threshold chosen on validation pairs, -?\d+\.\d{3}/);
  }
  const cut = Number(await legend.getAttribute('data-cut'));
  const marked = await rows.evaluateAll((els) =>
    els.map((e) => [Number(e.getAttribute('data-cut')), e.getAttribute('data-match')]),
  );
  expect(marked.length).toBeGreaterThan(0);
  for (const [rowCut] of marked) expect(rowCut).toBe(cut);
}

/** The answer's unknown is the closest label's value on the wrong side of its cut, and its row says the same. */
async function expectVerdictByCut(result: Locator, cut: number): Promise<void> {
  const winner = result.getByTestId('support-score').first();
  const value = Number(await winner.getAttribute('data-score'));
  const known = predictsSame(value, cut, 'higher-is-same');
  expect(await result.getAttribute('data-unknown')).toBe(String(!known));
  expect(await winner.getAttribute('data-match')).toBe(String(known));
}

async function fixtureUmap(run: string): Promise<Umap> {
  return JSON.parse(await readFile(join(fixtureArtifacts(), run, 'umap.json'), 'utf8')) as Umap;
}

/** The hovered point and the neighbours its tooltip shows: image indices and values as printed. */
async function tooltipNeighbours(tooltip: Locator) {
  const hovered = Number((await tooltip.textContent())!.match(/test image #(\d+)/)![1]);
  const indices = await tooltip
    .getByRole('img', { name: /^neighbour \d+$/ })
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-label')!.split(' ')[1])));
  const values = await tooltip.getByTestId('neighbour-value').allTextContents();
  return { hovered, indices, values };
}

/** Point i's stored neighbours in `umap.json`, printed as the tooltip prints them. */
function storedNeighbours(umap: Umap, i: number) {
  const g = umap.neighbours!;
  const row = (xs: number[]) => xs.slice(i * g.k, i * g.k + 5);
  return { indices: row(g.indices), values: row(g.values).map((v) => v.toFixed(2)) };
}

/** URLs the page fetches from now on. */
function requests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}
