// The browser tests' pages: Chromium (scripts/chromium.ts) at two widths, every page watched for errors.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OUTPUT } from './paths.ts';

export { checkChromium, draw, launch, STROKES } from '../../scripts/chromium.ts';

export const SCREENSHOTS = join(OUTPUT, 'screenshots');
export const WIDTHS = [1280, 390] as const;

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions so far; a test ends by expecting none. */
  errors: string[];
}

export async function openPage(browser: Browser, width: number): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // Next's router aborts its own HEAD checks and prefetches once it has what it needs: not a failure.
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    if (reason !== 'net::ERR_ABORTED') errors.push(`request failed: ${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, errors };
}

/** Saves test-output/screenshots/<name>.png: the whole page, or only what is in view. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
