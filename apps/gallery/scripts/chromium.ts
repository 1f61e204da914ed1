// Headless Debian Chromium driven by playwright-core (its own browser downloads are not available here): shared by
// the browser tests and the screenshot script.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TWINNET_CHROMIUM ?? '/usr/bin/chromium';

/** Fails early (before the fixtures and the build) with what to do when there is no browser. */
export function checkChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set TWINNET_CHROMIUM to its path`,
    );
  }
}

export function launch(): Promise<Browser> {
  checkChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Draws a polyline given in fractions of the canvas, as mouse events. */
export async function draw(page: Page, canvas: Locator, points: [number, number][]): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
  await page.mouse.up();
}

/** Strokes of a few symbols, in fractions of a draw pad. */
export const STROKES = {
  seven: [
    [0.25, 0.2],
    [0.75, 0.2],
    [0.45, 0.85],
  ],
  letterA: [
    [0.2, 0.8],
    [0.5, 0.15],
    [0.8, 0.8],
    [0.3, 0.55],
    [0.7, 0.55],
  ],
  caret: [
    [0.25, 0.8],
    [0.5, 0.2],
    [0.75, 0.8],
  ],
} satisfies Record<string, [number, number][]>;
