// Run before `next dev` and `next build`: publishes the trainer's artifacts, the bench history and the tfjs
// wasm binaries under public/, where the pages read them at build time and the browser fetches them.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBenchHistory } from '../src/lib/server/bench-history.ts';
import { artifactsDir, benchHistoryFile, DATA_DIR, WASM_DIR } from '../src/lib/server/paths.ts';
import { copyWasmBinaries, syncArtifacts } from '../src/lib/server/sync.ts';

await syncArtifacts({ source: artifactsDir(), target: DATA_DIR });
await copyWasmBinaries(WASM_DIR);

const benchFile = benchHistoryFile();
const text = await readFile(benchFile, 'utf8').catch(() => undefined);
if (text !== undefined) {
  const history = parseBenchHistory(text, 'history.jsonl');
  for (const { line, reason } of history.skipped) {
    console.log(`gallery: bench history line ${line} skipped: ${reason}`);
  }
  await writeFile(join(DATA_DIR, 'bench.json'), JSON.stringify(history));
  console.log(`gallery: ${history.points.length} bench point(s) from ${benchFile}`);
}
