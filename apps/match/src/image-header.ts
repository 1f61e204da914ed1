// The size of a PNG or JPEG from its header, before anything is decoded: a 1.5 MB PNG can claim 20000×20000
// pixels, which decoding would turn into 1.6 GB of RGBA (and 6 GB at the peak).

export interface ImageHeader {
  format: 'PNG' | 'JPEG';
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);

/** Format and size of an image (recognised by its first bytes); throws a one-line reason otherwise. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG_SIGNATURE)) {
    // The first chunk is IHDR: length (4), type (4), width (4), height (4).
    const type = String.fromCharCode(...bytes.subarray(12, 16));
    if (bytes.length < 24 || type !== 'IHDR') throw new Error('corrupt or truncated PNG: no IHDR header');
    return { format: 'PNG', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) return { format: 'JPEG', ...jpegSize(bytes, view) };
  throw new Error('not a PNG or JPEG image');
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic): C0–CF except C4, C8 and CC. */
const isFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);

/** Walks the marker segments up to the frame header, which holds the height and width. */
function jpegSize(bytes: Uint8Array, view: DataView): { width: number; height: number } {
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) break;
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2; // markers without a length
      continue;
    }
    if (isFrame(marker)) {
      if (p + 9 > bytes.length) break;
      return { height: view.getUint16(p + 5), width: view.getUint16(p + 7) };
    }
    if (marker === 0xda || marker === 0xd9) break; // image data or its end before any frame header
    p += 2 + view.getUint16(p + 2);
  }
  throw new Error('corrupt or truncated JPEG (no frame header)');
}
