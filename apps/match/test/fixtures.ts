import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, createDeflate } from 'node:zlib';
import { buildSiamese, disposeSiamese, type Metrics, type TrainRecipe } from '@twinnet/core';
import { saveModelToDir } from '@twinnet/core/node';
import { type Io, main } from '../src/cli.ts';

/**
 * A run directory as the trainer writes one, with seeded untrained models: enough for the CLI's mechanics (the
 * quality of matching is measured on a trained run in quality.test.ts). Distance runs get tower/ and pair/
 * (whose calibration turns the score threshold into a distance), MLP runs tower/ and head/, cosine runs only
 * tower/ and, in metrics.json, their embedding metric and an open-set cut (`threshold`, a similarity).
 */
export async function writeRun(
  dir: string,
  head: 'distance' | 'mlp' | 'cosine',
  threshold: number,
  /** Fields of metrics.json to add or replace (an open-set calibration's cuts, its classes, say). */
  extra: Record<string, unknown> = {},
): Promise<string> {
  const model = buildSiamese({ tower: 'small', head, embeddingDim: 16, headHidden: 16, seed: 4 });
  try {
    await saveModelToDir(model.tower, join(dir, 'tower'));
    if (head !== 'cosine')
      await saveModelToDir(
        head === 'distance' ? model.pair : model.headModel,
        join(dir, head === 'distance' ? 'pair' : 'head'),
      );
  } finally {
    disposeSiamese(model);
  }
  // Only what the matcher reads of metrics.json.
  const metrics = {
    run: `tiny-${head}`,
    dataset: 'mnist',
    recipe: {
      variant: { distance: 'contrastive', mlp: 'bce', cosine: 'metric' }[head],
      head: { kind: head, hidden: 16 },
    },
    polarity: head === 'distance' ? 'lower-is-same' : 'higher-is-same',
    ...(head === 'cosine'
      ? {
          embedding: { normalize: 'l2', metric: 'cosine' },
          // The matcher reads only the cut and its measure; a validation pair threshold beside it is ignored.
          openSet: { measure: 'similarity', threshold },
          test: { threshold: 0.99 },
        }
      : { test: { threshold } }),
    ...extra,
  };
  await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
  return dir;
}

/** One PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** The IHDR data of an 8-bit greyscale, non-interlaced PNG of width × height. */
export function greyHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  return ihdr;
}

/** A PNG whose header claims width × height, with one empty compressed block after it: refused unread. */
export function pngClaiming(width: number, height: number): Uint8Array {
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', greyHeader(width, height)),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A metrics.json that MetricsSchema accepts, for the recipe of a preset (its figures are placeholders). */
export function validMetrics(recipe: TrainRecipe): Metrics {
  return {
    run: recipe.run,
    dataset: recipe.dataset,
    recipe,
    polarity: 'higher-is-same',
    classNames: Array.from({ length: 10 }, (_, c) => String(c)),
    test: { pairs: 100, accuracy: 0.9, loss: 0.3, auc: 0.95, threshold: 0.5, precisionAt1: 0.9 },
    validation: { pairs: 100, accuracy: 0.9, threshold: 0.5 },
    oneShot: null,
    roc: [],
    histogram: { edges: [0, 1], same: [1], different: [1] },
    training: { epochs: 1, trainImages: 100, validationImages: 10, seconds: 1 },
    backend: 'wasm',
    versions: {},
    gitCommit: 'abc123',
    gitDirty: false,
    wallSeconds: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}

/** How a test PNG stores its pixels: 8-bit grey, or 16-bit RGBA (8 bytes a pixel, the costliest to decode). */
export type PngKind = 'grey8' | 'rgba16';

/**
 * A valid PNG of width × height: white paper with a black square in its middle third, so it is not blank;
 * deflated a row at a time (never whole in memory). Its file is small, its decoded size is not.
 */
export async function squarePng(width: number, height: number, kind: PngKind = 'grey8'): Promise<Uint8Array> {
  const bytesPerPixel = kind === 'grey8' ? 1 : 8;
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const paper = Buffer.alloc(width * bytesPerPixel + 1, 0xff);
  paper[0] = 0; // filter byte: none
  const inked = Buffer.from(paper);
  for (let x = Math.floor(width / 3); x < Math.floor((2 * width) / 3); x++) {
    // Ink in every colour sample; alpha (the last two bytes of an RGBA16 pixel) stays opaque.
    inked.fill(0, 1 + x * bytesPerPixel, 1 + x * bytesPerPixel + (kind === 'grey8' ? 1 : 6));
  }
  for (let y = 0; y < height; y++) {
    const row = y >= height / 3 && y < (2 * height) / 3 ? inked : paper;
    if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const header = greyHeader(width, height);
  if (kind === 'rgba16') header.set([16, 6], 8); // bit depth 16, colour type 6 (RGBA)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Runs the CLI in-process, as `pnpm match …` would, with `cwd` as the directory the user typed in, and captures
 * what it prints. It asks for the wasm backend the tests initialised, which is then not announced again.
 */
export async function runCli(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += `${text}\n`;
    },
    stderr: (text) => {
      stderr += `${text}\n`;
    },
    cwd,
  };
  const code = await main([...args, '--backend', 'wasm'], io);
  return { code, stdout, stderr };
}
