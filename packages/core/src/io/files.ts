import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { parseArtifact } from '../artifacts.ts';
import { loadLayersModelAt } from './layers-model.ts';

const WEIGHTS_FILE = 'weights.bin';

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes a file so that readers see the old content or the new, never a half-written one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempName(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

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
  const temp = tempName(dir);
  try {
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, WEIGHTS_FILE), new Uint8Array(weights));
    await writeFile(join(temp, 'model.json'), JSON.stringify(modelJson));
    const old = tempName(`${dir}.old`);
    await rename(dir, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(temp, dir);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Loads a model saved by saveModelToDir: the browser-safe loader, which reads local paths under Node. */
export const loadModelFromDir: (dir: string) => Promise<tf.LayersModel> = loadLayersModelAt;
