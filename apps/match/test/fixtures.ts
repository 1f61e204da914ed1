import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { buildSiamese, disposeSiamese, type Metrics, type TrainRecipe } from '@twinnet/core';
import { saveModelToDir } from '@twinnet/core/node';

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
