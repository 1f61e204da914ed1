// The trained pair model, loaded in the browser: the tower embeds images once, the head compares a query's
// embedding with many supports at a time. Importing @twinnet/core registers the EuclideanDistance layer that
// the distance models' JSON refers to.
import * as tf from '@tensorflow/tfjs';
import {
  ARTIFACT_FILES,
  type BackendInfo,
  IMAGE_SIZE,
  initBackend,
  PIXELS,
  type Polarity,
} from '@twinnet/core';
import { runDataUrl, WASM_URL } from '../urls.ts';
import { splitPairModel } from './pair-split.ts';

export interface Siamese {
  dim: number;
  polarity: Polarity;
  backend: BackendInfo['name'];
  /** Embeddings of n images (n × 784 bytes, bright on dark), n × dim. */
  embed(images: Uint8Array): Float32Array;
  /** The head's score of one query embedding against each of k support embeddings (k × dim). */
  compare(query: Float32Array, supports: Float32Array): Float32Array;
}

let backend: Promise<BackendInfo> | undefined;

/**
 * wasm (XNNPACK) unless the page asks for ?backend=cpu; headless browsers often have no WebGL, and these
 * towers are small enough that wasm answers a query in milliseconds.
 */
function ensureBackend(): Promise<BackendInfo> {
  if (!backend) {
    const requested = new URLSearchParams(window.location.search).get('backend') === 'cpu' ? 'cpu' : 'wasm';
    backend = initBackend(requested, { wasmPaths: WASM_URL }).catch((error: unknown) => {
      console.warn(`twinnet: wasm backend unavailable (${(error as Error).message}); using cpu`);
      return initBackend('cpu');
    });
  }
  return backend;
}

const models = new Map<string, Promise<Siamese>>();

export function loadSiamese(run: string, polarity: Polarity): Promise<Siamese> {
  let pending = models.get(run);
  if (!pending) {
    pending = build(run, polarity);
    models.set(run, pending);
    pending.catch(() => models.delete(run));
  }
  return pending;
}

async function build(run: string, polarity: Polarity): Promise<Siamese> {
  const info = await ensureBackend();
  const pair = await tf.loadLayersModel(runDataUrl(run, ARTIFACT_FILES.pair));
  const { tower, head, dim } = splitPairModel(pair);

  const siamese: Siamese = {
    dim,
    polarity,
    backend: info.name,
    embed(images) {
      const n = images.length / PIXELS;
      return tf.tidy(() => {
        const x = tf.tensor4d(
          Float32Array.from(images, (v) => v / 255),
          [n, IMAGE_SIZE, IMAGE_SIZE, 1],
        );
        return (tower.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
    },
    compare(query, supports) {
      const k = supports.length / dim;
      return tf.tidy(() => {
        const q = tf.tile(tf.tensor2d(query, [1, dim]), [k, 1]);
        const s = tf.tensor2d(supports, [k, dim]);
        return (head.predict([q, s]) as tf.Tensor).dataSync() as Float32Array;
      });
    },
  };
  // The first call compiles the kernels; do it now, not on the user's first query.
  siamese.compare(siamese.embed(new Uint8Array(PIXELS)), new Float32Array(dim));
  return siamese;
}
