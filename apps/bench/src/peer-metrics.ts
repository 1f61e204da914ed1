import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchProtocol } from '@twinnet/core';
import {
  drawEpisodes,
  type EvaluationSets,
  replaySimilarity,
  type ShortRunMetrics,
  shortRunMetrics,
} from './evaluation.ts';
import type { PeerShortRun } from './peer-output.ts';

/** Writes the one-shot episodes for the peer to score; returns the spec entry that points at them. */
export async function writeEpisodes(sets: EvaluationSets, protocol: BenchProtocol, dir: string) {
  const episodes = drawEpisodes(sets, protocol);
  const concat = (parts: Int32Array[]) => {
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return new Uint8Array(out.buffer);
  };
  const queries = join(dir, 'episodes-queries.i32');
  const supports = join(dir, 'episodes-supports.i32');
  await writeFile(queries, concat(episodes.queries));
  await writeFile(supports, concat(episodes.supports));
  return { queries, supports, count: episodes.queries.length };
}

/** The peer's short-run metrics, computed here from its scores with the same code as ours. */
export async function peerShortRunMetrics(
  run: PeerShortRun,
  dir: string,
  sets: EvaluationSets,
  protocol: BenchProtocol,
  polarity: 'lower-is-same' | 'higher-is-same',
): Promise<ShortRunMetrics> {
  const validation = await readFloats(join(dir, run.validationScores), sets.validationPairs.count);
  const test = await readFloats(join(dir, run.testScores), sets.testPairs.count);
  const episodes = drawEpisodes(sets, protocol);
  const scored = episodes.queries.reduce((n, q, i) => n + q.length * episodes.supports[i]!.length, 0);
  const similarities = await readFloats(join(dir, run.episodeSimilarities), scored);
  return shortRunMetrics(sets, { validation, test }, polarity, replaySimilarity(similarities), protocol);
}

async function readFloats(path: string, expected: number): Promise<Float32Array> {
  const bytes = await readFile(path);
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${path}: expected ${expected} float32 values, got ${bytes.byteLength} bytes`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${path}: value ${bad} is ${values[bad]}`);
  return values;
}
