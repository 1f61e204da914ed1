// Memory check of `pnpm match`: a 20000×20000 PNG must be refused quickly with little memory, and 2,000 query
// files must not make memory grow with their number. Each case runs the CLI in a child process and reads its
// peak RSS (getrusage, via report-peak-rss.mjs). Usage: pnpm --filter match memory-check [-- --run DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDeflate } from 'node:zlib';
import { initBackend } from '@twinnet/core/node';
import { loadDataset, selectClasses } from '@twinnet/datasets';
import pngjs from 'pngjs';
import { decodeImage } from '../src/decode.ts';
import { writePngs } from '../src/png-folders.ts';
import { drawQueries, drawSupports } from '../src/sampling.ts';
import { greyHeader, pngChunk, writeRun } from '../test/fixtures.ts';

const LIMIT_MB = 300;
const QUERIES = 2000;
/** Query pictures are this many pixels a side: 640 kB each decoded, 1.3 GB if all 2,000 were held at once. */
const QUERY_SIDE = 400;
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const HOOK = fileURLToPath(new URL('./report-peak-rss.mjs', import.meta.url));

/** A valid greyscale PNG of width × height, all black, deflated a row at a time (never whole in memory). */
async function bigPng(width: number, height: number): Promise<Uint8Array> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(width + 1); // filter byte 0, then the row
  for (let y = 0; y < height; y++)
    if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', greyHeader(width, height)),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 28×28 digit enlarged to side × side, dark ink on white paper, as a PNG. */
function paperPng(digit: Uint8Array, side: number): Uint8Array {
  const png = new pngjs.PNG({ width: side, height: side });
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = 255 - digit[Math.floor((y * 28) / side) * 28 + Math.floor((x * 28) / side)]!;
      png.data.set([v, v, v, 255], (y * side + x) * 4);
    }
  }
  return pngjs.PNG.sync.write(png, { colorType: 0 });
}

/** Runs the CLI in a child process: exit code, wall seconds, peak RSS in MB, and stderr. */
function runCli(args: string[], dir: string) {
  const rssFile = join(dir, `rss-${Date.now()}`);
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', HOOK, CLI, ...args], {
    env: { ...process.env, PEAK_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - started) / 1000;
  return { code: child.status, seconds, stdout: child.stdout, stderr: child.stderr, rssFile };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { run: { type: 'string' }, backend: { type: 'string' } } });
  const backend = values.backend ?? 'wasm';
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-memory-check-'));
  try {
    await initBackend('wasm', { log: () => {} });
    const run = values.run ?? (await writeRun(join(dir, 'run'), 'distance', 0.6));
    const mnist = await loadDataset('mnist');
    for (const [c, images] of drawSupports(selectClasses(mnist.train, [7, 8, 9]), [7, 8, 9], 3, 1))
      await writePngs(join(dir, 'support', String(c)), images, 'example');

    const big = join(dir, 'big.png');
    await writeFile(big, await bigPng(20000, 20000));
    const bytes = await readFile(big);
    const started = performance.now();
    let refusal = '';
    try {
      decodeImage(bytes);
    } catch (error) {
      refusal = (error as Error).message;
    }
    const decodeMs = performance.now() - started;

    // 2,000 queries: 20 distinct pictures, each copied 100 times.
    const digits = drawQueries(selectClasses(mnist.test, [7, 8, 9]), 20, 1).images;
    await mkdir(join(dir, 'query'));
    for (let i = 0; i < QUERIES; i++) {
      const file = join(dir, 'query', `q-${String(i).padStart(4, '0')}.png`);
      if (i < 20) await writeFile(file, paperPng(digits.subarray(i * 784, (i + 1) * 784), QUERY_SIDE));
      else await copyFile(join(dir, 'query', `q-${String(i % 20).padStart(4, '0')}.png`), file);
    }

    const base = ['--run', run, '--support', join(dir, 'support'), '--backend', backend];
    // The same pictures, a tenth as many: memory should not follow the count.
    await mkdir(join(dir, 'query-200'));
    for (let i = 0; i < QUERIES / 10; i++) {
      const name = `q-${String(i).padStart(4, '0')}.png`;
      await copyFile(join(dir, 'query', name), join(dir, 'query-200', name));
    }
    const cases = [
      {
        name: '3 queries of 28×28 (start-up baseline)',
        args: [...base, '--query', join(dir, 'support', '7')],
      },
      {
        name: `20000×20000 PNG (${(bytes.length / 1e6).toFixed(2)} MB file)`,
        args: [...base, '--query', big],
      },
      {
        name: `${QUERIES / 10} query PNGs of ${QUERY_SIDE}×${QUERY_SIDE}`,
        args: [...base, '--query', join(dir, 'query-200')],
      },
      {
        name: `${QUERIES} query PNGs of ${QUERY_SIDE}×${QUERY_SIDE}`,
        args: [...base, '--query', join(dir, 'query')],
      },
    ];
    let ok = refusal.includes('over the limit');
    console.log(`decodeImage refused the big PNG in ${decodeMs.toFixed(1)} ms: ${refusal}`);
    for (const c of cases) {
      const result = runCli(c.args, dir);
      const peakMb = Number(await readFile(result.rssFile, 'utf8')) / 1024;
      const rows = result.stdout.trim().split('\n').length - 2;
      const pass = peakMb < LIMIT_MB;
      ok &&= pass;
      console.log(
        `${c.name}: exit ${result.code}, ${result.seconds.toFixed(2)} s for the whole process, peak RSS ` +
          `${peakMb.toFixed(0)} MB (limit ${LIMIT_MB}) ${pass ? 'ok' : 'OVER'}; ${Math.max(0, rows)} rows printed`,
      );
      const problem = result.stderr.split('\n').find((line) => line.includes('big.png'));
      if (problem) console.log(`  ${problem}`);
    }
    console.log(`node ${process.version}; ${execFileSync('nproc').toString().trim()} cores`);
    return ok ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`memory-check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
