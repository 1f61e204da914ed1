import { createHash } from 'node:crypto';
import { DatasetError } from './errors.ts';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** @param content decompressed file content; @param expected from the file's DatasetSpec entry */
export function verifyChecksum(content: Uint8Array, file: string, expected: string): void {
  const actual = sha256(content);
  if (actual !== expected) {
    throw new DatasetError(
      file,
      `SHA-256 mismatch of decompressed content: expected ${expected}, got ${actual}`,
    );
  }
}
