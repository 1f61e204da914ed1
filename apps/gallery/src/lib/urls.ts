// URLs of the static data the sync step publishes; shared by server pages and browser code.

export const DATA_URL = '/data';
export const WASM_URL = '/tfjs-wasm/';

export const runDataUrl = (run: string, file: string): string =>
  `${DATA_URL}/${encodeURIComponent(run)}/${file}`;

export const runPageUrl = (run: string): string => `/runs/${encodeURIComponent(run)}/`;
export const demoPageUrl = (run: string): string => `/runs/${encodeURIComponent(run)}/one-shot/`;
export const transferPageUrl = '/transfer/';
/** The new-class demo of a run, scrolled to (the run's one-shot page holds both demos). */
export const newClassDemoUrl = (run: string): string => `${demoPageUrl(run)}#new-classes`;
