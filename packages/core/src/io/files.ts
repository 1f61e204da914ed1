import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { parseArtifact } from '../schemas/artifacts.ts';
import { replaceDirectory, writeFileAtomic } from './atomic-write.ts';
import { loadLayersModelAt } from './layers-model.ts';

export {
  describeWriteError,
  recoverReplaceDirectory,
  replaceDirectory,
  writeFileAtomic,
} from './atomic-write.ts';
export { processAlive, processStartTime } from './process-alive.ts';

const WEIGHTS_FILE = 'weights.bin';

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}

/** Reads and validates one JSON artifact; errors name the file. */
export async function readJsonArtifact<T>(schema: z.ZodType<T>, path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseArtifact(schema, text, path);
}

/**
 * Saves a layers model as model.json + weights.bin in the TensorFlow.js format, loadable by tf.loadLayersModel
 * in the browser. The directory is written beside its final place and renamed in, so a killed process never
 * leaves a half-written model where a reader looks.
 */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs)
    throw new Error(`model ${model.name} produced no weights to save`);
  const weights = tf.io.CompositeArrayBuffer.join(saved.weightData);
  const modelJson = {
    format: 'layers-model',
    generatedBy: saved.generatedBy,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
  };
  await replaceDirectory(dir, async (temp) => {
    await writeFileAtomic(join(temp, WEIGHTS_FILE), new Uint8Array(weights));
    await writeFileAtomic(join(temp, 'model.json'), JSON.stringify(modelJson));
  });
}

/** Loads a model saved by saveModelToDir: the browser-safe loader, which reads local paths under Node. */
export const loadModelFromDir: (dir: string) => Promise<tf.LayersModel> = loadLayersModelAt;
