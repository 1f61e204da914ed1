import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, parseIdx } from '../src/index.ts';
import { idxImages, idxLabels } from './helpers.ts';

describe('parseIdx', () => {
  it('parses labels (magic 2049)', () => {
    const idx = parseIdx(idxLabels([3, 1, 4, 1, 5]), 'labels');
    expect(idx).toMatchObject({ kind: 'labels', count: 5 });
    expect([...idx.data]).toEqual([3, 1, 4, 1, 5]);
  });

  it('parses images (magic 2051) as a plain Uint8Array view', () => {
    const idx = parseIdx(idxImages(3, 2, 4), 'images');
    expect(idx).toMatchObject({ kind: 'images', count: 3, rows: 2, cols: 4 });
    expect(idx.data.constructor).toBe(Uint8Array);
    expect(idx.data.length).toBe(24);
    expect([...idx.data.subarray(16)]).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('gunzips transparently', () => {
    const raw = idxImages(2, 3, 3);
    const idx = parseIdx(gzipSync(raw), 'images.gz');
    expect(idx).toMatchObject({ kind: 'images', count: 2, rows: 3, cols: 3 });
    expect([...idx.data]).toEqual([...raw.subarray(16)]);
  });

  it('rejects a wrong magic number, naming expected and actual', () => {
    const bytes = idxLabels([1, 2]);
    new DataView(bytes.buffer).setUint32(0, 2052);
    const error = catchError(() => parseIdx(bytes, 'weird-file'));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.file).toBe('weird-file');
    expect(error.message).toMatch(/weird-file.*wrong magic.*2049.*2051.*got 2052/);
  });

  it('rejects truncated data with expected and actual sizes', () => {
    const bytes = idxImages(2, 28, 28);
    const error = catchError(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'short'));
    expect(error.message).toMatch(/short.*truncated.*expected 1584 bytes.*got 1583/);
  });

  it('rejects a truncated header', () => {
    expect(() => parseIdx(idxImages(1).subarray(0, 10), 'tiny')).toThrow(
      /tiny.*truncated.*16 header bytes, got 10/,
    );
    expect(() => parseIdx(new Uint8Array(2), 'empty')).toThrow(/empty.*truncated/);
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array([...idxLabels([1, 2]), 7]);
    expect(() => parseIdx(bytes, 'long')).toThrow(/long.*trailing data: expected 10 bytes.*got 11/);
  });

  it('rejects bad dims', () => {
    expect(() => parseIdx(idxImages(0, 0, 28), 'zero')).toThrow(/zero.*bad dims \[0, 0, 28\]/);
    const huge = idxImages(1, 1, 1);
    new DataView(huge.buffer).setUint32(4, 0xffffffff);
    new DataView(huge.buffer).setUint32(8, 0xffffffff);
    expect(() => parseIdx(huge, 'huge')).toThrow(/huge.*bad dims/);
  });

  it('reports corrupt gzip data as a DatasetError', () => {
    const gz = gzipSync(idxLabels([1, 2, 3]));
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz')).toThrow(DatasetError);
  });
});

function catchError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}
