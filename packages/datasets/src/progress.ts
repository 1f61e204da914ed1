import type { ProgressListener } from './download.ts';

/** The part of process.stderr that progress reporting needs; injectable for tests. */
export type ProgressStream = { readonly isTTY?: boolean; write(text: string): unknown };

// Redrawing more often only costs terminal time; a person reads a few updates a second at most.
const REDRAW_MS = 100;

/**
 * One self-overwriting stderr line for several concurrent downloads: "<label>: 12.3 of 30.9 MB".
 * Silent unless the stream is a TTY, so logs and CI output get no carriage-return noise.
 */
export function downloadProgress(
  stream: ProgressStream,
  label: string,
  files: number,
): { listener: ProgressListener | undefined; done(): void } {
  if (!stream.isTTY) return { listener: undefined, done: () => {} };
  const received = new Map<string, number>();
  const totals = new Map<string, number>();
  let last = 0;
  let drawn = false;
  const draw = () => {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    const got = [...received.values()].reduce((a, b) => a + b, 0);
    // The total is known only once every file has answered with a Content-Length.
    const total = totals.size === files ? [...totals.values()].reduce((a, b) => a + b, 0) : 0;
    stream.write(`\r${label}: ${mb(got)}${total ? ` of ${mb(total)}` : ''} MB`);
    drawn = true;
  };
  const listener: ProgressListener = (url, bytes, total) => {
    received.set(url, bytes);
    if (total !== undefined) totals.set(url, total);
    const now = Date.now();
    if (now - last >= REDRAW_MS) {
      last = now;
      draw();
    }
  };
  const done = () => {
    if (!drawn) return;
    draw();
    stream.write('\n');
  };
  return { listener, done };
}
