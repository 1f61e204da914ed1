// Where the gallery reads from and writes to. Build-time only (Node): the browser sees URLs, never these.
import { join, resolve } from 'node:path';

/** The gallery's own directory; `next build`, `next dev` and the scripts all run with it as cwd. */
export const GALLERY_DIR = process.cwd();
const REPO_DIR = resolve(GALLERY_DIR, '../..');

/** The trainer's output: TWINNET_ARTIFACTS, else <repo>/artifacts. */
export function artifactsDir(): string {
  return resolve(process.env.TWINNET_ARTIFACTS ?? join(REPO_DIR, 'artifacts'));
}

/** The bench's append-only log: TWINNET_BENCH_HISTORY, else <repo>/bench/history.jsonl. */
export function benchHistoryFile(): string {
  return resolve(process.env.TWINNET_BENCH_HISTORY ?? join(REPO_DIR, 'bench', 'history.jsonl'));
}

/** The validated copy of the artifacts that the site serves as static files (gitignored, rebuilt each sync). */
export const DATA_DIR = join(GALLERY_DIR, 'public', 'data');
/** tfjs-backend-wasm's binaries, served beside the pages for setWasmPaths. */
export const WASM_DIR = join(GALLERY_DIR, 'public', 'tfjs-wasm');
