// Browser-side loading of a run's larger artifacts (fetched, not inlined into the page), validated with the
// same schemas the trainer wrote them with. Each file is fetched once per page, however many components ask.
import type { EmbeddingsHeader, Predictions, Umap } from '@twinnet/core';
import { PIXELS } from '../image-size.ts';
import { runDataUrl } from '../urls.ts';

/**
 * Core (schemas and all of tfjs) in its own chunk, fetched beside the data rather than before the page. The
 * file names are ARTIFACT_FILES', spelled out so the fetches need not wait for that chunk.
 */
const core = () => import('@twinnet/core');

export interface Embeddings {
  header: EmbeddingsHeader;
  values: Float32Array;
}

const cache = new Map<string, Promise<unknown>>();

function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    cache.set(key, pending);
    // A failed load may be retried by the next caller.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response;
}

const fetchText = async (url: string) => (await fetchOk(url)).text();
const fetchBytes = async (url: string) => new Uint8Array(await (await fetchOk(url)).arrayBuffer());

export const loadPredictions = (run: string): Promise<Predictions> =>
  once(`${run}/predictions`, async () => {
    const [{ parseArtifact, PredictionsSchema }, text] = await Promise.all([
      core(),
      fetchText(runDataUrl(run, 'predictions.json')),
    ]);
    return parseArtifact(PredictionsSchema, text, 'predictions.json');
  });

export const loadUmap = (run: string): Promise<Umap> =>
  once(`${run}/umap`, async () => {
    const [{ parseArtifact, UmapSchema }, text] = await Promise.all([
      core(),
      fetchText(runDataUrl(run, 'umap.json')),
    ]);
    return parseArtifact(UmapSchema, text, 'umap.json');
  });

/** Which test images were embedded, and their labels: a few kilobytes, without the embeddings themselves. */
export const loadEmbeddingsHeader = (run: string): Promise<EmbeddingsHeader> =>
  once(`${run}/embeddings-header`, async () => {
    const [{ EmbeddingsHeaderSchema, parseArtifact }, text] = await Promise.all([
      core(),
      fetchText(runDataUrl(run, 'embeddings.json')),
    ]);
    return parseArtifact(EmbeddingsHeaderSchema, text, 'embeddings.json');
  });

/**
 * Every embedding (5,000 × 2,560 float32 is 51 MB): only for runs whose umap.json predates its neighbour graph.
 */
export const loadEmbeddings = (run: string): Promise<Embeddings> =>
  once(`${run}/embeddings`, async () => {
    const [{ parseEmbeddings }, header, bytes] = await Promise.all([
      core(),
      loadEmbeddingsHeader(run),
      fetchBytes(runDataUrl(run, 'embeddings.f32')),
    ]);
    return { header, values: parseEmbeddings(bytes, header, 'embeddings.f32') };
  });

/** The embedded test images, count × 784 bytes, in the order of embeddings.json. */
export const loadImages = (run: string): Promise<Uint8Array> =>
  once(`${run}/images`, async () => {
    const bytes = await fetchBytes(runDataUrl(run, 'images.u8'));
    if (bytes.length % PIXELS !== 0)
      throw new Error(`images.u8: ${bytes.length} bytes is not a whole number of images`);
    return bytes;
  });

/** Image i of a count × 784 array. */
export const imageAt = (images: Uint8Array, i: number): Uint8Array =>
  images.subarray(i * PIXELS, (i + 1) * PIXELS);

/** Decodes a prediction's base64 image. */
export function decodeImage(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
