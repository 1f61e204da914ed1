// Memory check of `pnpm match`: a 20000×20000 PNG must be refused quickly with little memory, the costliest
// images the defaults accept (a 4096×4096 16-bit RGBA PNG, a 4096×4096 JPEG) must peak under LIMIT_MB, and 2,000
// query files must not make memory grow with their number; images at the largest --max-pixels are reported.
// Each case runs the CLI in a child process and reads its peak RSS (getrusage, via report-peak-rss.mjs).
// Usage: pnpm --filter match memory-check [-- --run DIR] [--max-jpeg: also a 10000×10000 JPEG, slow to make]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@twinnet/core/node';
import { loadDataset, selectClasses } from '@twinnet/datasets';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { decodeImage } from '../src/decode.ts';
import { DEFAULT_MAX_PIXELS, FLAG_RANGES } from '../src/flags.ts';
import { writePngs } from '../src/png-folders.ts';
import { drawQueries, drawSupports } from '../src/sampling.ts';
import { squarePng, writeRun } from '../test/fixtures.ts';

/** The bound on any image the defaults accept (issue #25's aim). */
const LIMIT_MB = 400;
const QUERIES = 2000;
/** Query pictures are this many pixels a side: 640 kB each decoded, 1.3 GB if all 2,000 were held at once. */
const QUERY_SIDE = 400;
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const HOOK = fileURLToPath(new URL('./report-peak-rss.mjs', import.meta.url));

/** A baseline JPEG of width × height, white with a black middle square, encoded a band at a time is not
 * possible with jpeg-js: it takes the whole RGBA picture (in this script's process, not the CLI's). */
function bigJpeg(width: number, height: number): Uint8Array {
  const rgba = Buffer.alloc(width * height * 4, 0xff);
  for (let y = Math.floor(height / 3); y < Math.floor((2 * height) / 3); y++) {
    for (let x = Math.floor(width / 3); x < Math.floor((2 * width) / 3); x++)
      rgba.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return jpeg.encode({ data: rgba, width, height }, 90).data;
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
  // pnpm passes the `--` before the script's own flags through.
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: { run: { type: 'string' }, backend: { type: 'string' }, 'max-jpeg': { type: 'boolean' } },
  });
  const backend = values.backend ?? 'wasm';
  const dir = await mkdtemp(join(tmpdir(), 'twinnet-memory-check-'));
  try {
    await initBackend('wasm', { log: () => {} });
    const run = values.run ?? (await writeRun(join(dir, 'run'), 'distance', 0.6));
    const mnist = await loadDataset('mnist');
    for (const [c, images] of drawSupports(selectClasses(mnist.train, [7, 8, 9]), [7, 8, 9], 3, 1))
      await writePngs(join(dir, 'support', String(c)), images, 'example');

    const big = join(dir, 'big.png');
    await writeFile(big, await squarePng(20000, 20000));
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
    // The largest images the defaults accept, and the largest --max-pixels allows.
    const side = Math.sqrt(DEFAULT_MAX_PIXELS);
    const files = {
      rgba16: join(dir, 'rgba16.png'),
      jpeg: join(dir, 'default-max.jpg'),
      png1e8: join(dir, 'max-pixels.png'),
      jpeg1e8: join(dir, 'max-pixels.jpg'),
    };
    await writeFile(files.rgba16, await squarePng(side, side, 'rgba16'));
    await writeFile(files.jpeg, bigJpeg(side, side));
    const maxSide = Math.sqrt(FLAG_RANGES.maxPixels.max);
    await writeFile(files.png1e8, await squarePng(maxSide, maxSide));
    const progressive1e8 = join(dir, 'max-pixels-progressive.jpg');
    if (values['max-jpeg']) {
      await writeFile(files.jpeg1e8, bigJpeg(maxSide, maxSide));
      spawnSync('jpegtran', ['-progressive', '-outfile', progressive1e8, files.jpeg1e8]);
    }
    // A progressive JPEG makes libjpeg keep every DCT coefficient of the image at once: the costliest kind.
    const progressive = join(dir, 'progressive.jpg');
    const jpegtran = spawnSync('jpegtran', ['-progressive', '-outfile', progressive, files.jpeg]);
    const hasProgressive = jpegtran.status === 0;
    if (!hasProgressive)
      console.log('no jpegtran (Debian: libjpeg-turbo-progs): the progressive JPEG case is left out');
    const size = async (path: string) => `${((await stat(path)).size / 1e3).toFixed(0)} kB`;
    const maxFlag = ['--max-pixels', String(FLAG_RANGES.maxPixels.max)];
    const cases: { name: string; args: string[]; limit: boolean }[] = [
      {
        name: '3 queries of 28×28 (start-up baseline)',
        args: [...base, '--query', join(dir, 'support', '7')],
        limit: true,
      },
      {
        name: `20000×20000 PNG (${(bytes.length / 1e6).toFixed(2)} MB file)`,
        args: [...base, '--query', big],
        limit: true,
      },
      {
        name: `${side}×${side} 16-bit RGBA PNG at the default limit (${await size(files.rgba16)})`,
        args: [...base, '--query', files.rgba16],
        limit: true,
      },
      {
        name: `${side}×${side} JPEG at the default limit (${await size(files.jpeg)})`,
        args: [...base, '--query', files.jpeg],
        limit: true,
      },
      ...(hasProgressive
        ? [
            {
              name: `${side}×${side} progressive JPEG at the default limit (${await size(progressive)})`,
              args: [...base, '--query', progressive],
              limit: true,
            },
          ]
        : []),
      {
        name: `${maxSide}×${maxSide} 8-bit grey PNG, --max-pixels ${FLAG_RANGES.maxPixels.max} (${await size(files.png1e8)})`,
        args: [...base, '--query', files.png1e8, ...maxFlag],
        limit: false,
      },
      ...(values['max-jpeg']
        ? [
            {
              name: `${maxSide}×${maxSide} JPEG, --max-pixels ${FLAG_RANGES.maxPixels.max} (${await size(files.jpeg1e8)})`,
              args: [...base, '--query', files.jpeg1e8, ...maxFlag],
              limit: false,
            },
            ...(hasProgressive
              ? [
                  {
                    name: `${maxSide}×${maxSide} progressive JPEG, --max-pixels ${FLAG_RANGES.maxPixels.max} (${await size(progressive1e8)})`,
                    args: [...base, '--query', progressive1e8, ...maxFlag],
                    limit: false,
                  },
                ]
              : []),
          ]
        : []),
      {
        name: `${QUERIES / 10} query PNGs of ${QUERY_SIDE}×${QUERY_SIDE}`,
        args: [...base, '--query', join(dir, 'query-200')],
        limit: true,
      },
      {
        name: `${QUERIES} query PNGs of ${QUERY_SIDE}×${QUERY_SIDE}`,
        args: [...base, '--query', join(dir, 'query')],
        limit: true,
      },
    ];
    let ok = refusal.includes('over the limit');
    console.log(`decodeImage refused the big PNG in ${decodeMs.toFixed(1)} ms: ${refusal}`);
    for (const c of cases) {
      const result = runCli(c.args, dir);
      const peakMb = Number(await readFile(result.rssFile, 'utf8')) / 1024;
      const rows = result.stdout.trim().split('\n').length - 2;
      const pass = !c.limit || peakMb < LIMIT_MB;
      ok &&= pass;
      const verdict = c.limit
        ? `(limit ${LIMIT_MB}) ${pass ? 'ok' : 'OVER'}`
        : '(outside the defaults: reported)';
      console.log(
        `${c.name}: exit ${result.code}, ${result.seconds.toFixed(2)} s for the whole process, peak RSS ` +
          `${peakMb.toFixed(0)} MB ${verdict}; ${Math.max(0, rows)} rows printed`,
      );
      const problem = result.stderr.split('\n').find((line) => /\.(png|jpg): /.test(line));
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
