// The run's matchers in the browser: core's Matcher, loaded over HTTP from the published run folder. It matches a
// distance-head run by embedding distance, a cosine-head run by cosine similarity and an MLP-head run through
// head/, so the gallery has no model code.
import { type BackendInfo, initBackend, Matcher } from '@twinnet/core';
import { runDataUrl, WASM_URL } from '../urls.ts';

let backend: Promise<BackendInfo> | undefined;

/**
 * wasm (XNNPACK) unless the page asks for ?backend=cpu; headless browsers often have no WebGL, and these
 * towers are small enough that wasm answers a query in milliseconds.
 */
export function ensureBackend(): Promise<BackendInfo> {
  if (!backend) {
    const requested = new URLSearchParams(window.location.search).get('backend') === 'cpu' ? 'cpu' : 'wasm';
    backend = initBackend(requested, { wasmPaths: WASM_URL }).catch((error: unknown) => {
      console.warn(`twinnet: wasm backend unavailable (${(error as Error).message}); using cpu`);
      return initBackend('cpu');
    });
  }
  return backend;
}

/**
 * `count` matchers of one run, each with a support set of its own (a Matcher holds one); the files are fetched
 * once, as the browser caches them. The caller disposes them.
 */
export async function loadMatchers(run: string, count: number): Promise<Matcher[]> {
  await ensureBackend();
  // The run's folder: Matcher.load reads metrics.json, tower/ and pair/ or head/ under it.
  const location = runDataUrl(run, '');
  const matchers: Matcher[] = [];
  try {
    for (let i = 0; i < count; i++) matchers.push(await Matcher.load(location));
  } catch (error) {
    for (const m of matchers) m.dispose();
    throw error;
  }
  return matchers;
}
