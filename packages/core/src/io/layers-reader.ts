import * as tf from '@tensorflow/tfjs';
import { fetchIo, joinLocation, type ResourceIo } from './resource.ts';

/**
 * Loads a layers model (model.json + weight files) from a directory, read through `io`: fetch (URLs) by default,
 * nodeIo for local paths.
 */
export async function readLayersModel(dir: string, io: ResourceIo = fetchIo): Promise<tf.LayersModel> {
  const jsonPath = joinLocation(dir, 'model.json');
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    json = JSON.parse(await io.readText(jsonPath));
  } catch (error) {
    throw new Error(`${jsonPath}: cannot load the model (${(error as Error).message})`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonPath}: not a TensorFlow.js layers model (no modelTopology or weightsManifest)`);
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const parts = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((p) => io.readBytes(joinLocation(dir, p))),
  );
  const data = tf.io.CompositeArrayBuffer.join(
    parts.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (data.byteLength !== expected) {
    throw new Error(`${dir}: weights hold ${data.byteLength} bytes, the manifest needs ${expected}`);
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: specs,
      weightData: data,
    }),
  );
}
