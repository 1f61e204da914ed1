import { createHash } from 'node:crypto';
import type { Pairs } from '@twinnet/core';

/**
 * SHA-256 of a pair set (a and b as little-endian int32, then same as bytes): the PyTorch peer computes the
 * same digest of the pairs it sampled, so the bench can check both sides trained and scored identical pairs.
 */
export function pairsDigest(pairs: Pairs): string {
  const hash = createHash('sha256');
  for (const part of [pairs.a, pairs.b, pairs.same]) {
    hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  }
  return hash.digest('hex');
}
