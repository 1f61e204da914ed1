import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EpochRecordSchema, type SiameseModel } from '@twinnet/core';
import { z } from 'zod';
import type { TrainConfig } from './presets.ts';

/** What a run needs to continue where it stopped: weights, optimizer slots, the history so far. */
const StateSchema = z.object({
  run: z.string(),
  /** Completed epochs. Weights may be from the middle of the next one when the run was interrupted. */
  epochsDone: z.number().int().nonnegative(),
  history: z.array(EpochRecordSchema),
  /** The config fields that must match for a resume to make sense. */
  recipe: z.record(z.string(), z.unknown()),
  seconds: z.number(),
  savedAt: z.string(),
});
export type CheckpointState = z.infer<typeof StateSchema>;

const WeightSpecsSchema = z.object({ model: z.array(z.any()), optimizer: z.array(z.any()) });

/** The fields a checkpoint must agree on with the run it resumes (epochs and rates may change on resume). */
const RECIPE_KEYS = [
  'run',
  'dataset',
  'variant',
  'tower',
  'head',
  'embeddingDim',
  'optimizer',
  'heldOutClasses',
  'trainSize',
  'seed',
  'validationFraction',
] as const satisfies readonly (keyof TrainConfig)[];

export function recipeOf(config: TrainConfig): Record<string, unknown> {
  return Object.fromEntries(RECIPE_KEYS.map((key) => [key, config[key]]));
}

/** Writes the checkpoint directory beside its place and renames it in, so a kill never leaves half of one. */
export async function saveCheckpoint(
  dir: string,
  model: SiameseModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  const modelWeights = model.pair.weights.map((w, i) => ({ name: `w${i}`, tensor: w.read() }));
  const optimizerWeights = await optimizer.getWeights();
  const encodedModel = await tf.io.encodeWeights(modelWeights);
  const encodedOptimizer = await tf.io.encodeWeights(optimizerWeights);
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  await writeFile(
    join(temp, 'model.bin'),
    new Uint8Array(tf.io.CompositeArrayBuffer.join(encodedModel.data)),
  );
  await writeFile(
    join(temp, 'optimizer.bin'),
    new Uint8Array(tf.io.CompositeArrayBuffer.join(encodedOptimizer.data)),
  );
  await writeFile(
    join(temp, 'specs.json'),
    JSON.stringify({ model: encodedModel.specs, optimizer: encodedOptimizer.specs }),
  );
  await writeFile(join(temp, 'state.json'), JSON.stringify(state, null, 1));
  const old = `${dir}.old-${process.pid}`;
  await rename(dir, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temp, dir);
  await rm(old, { recursive: true, force: true });
}

/** Restores weights and optimizer state into a freshly built model; undefined when there is no checkpoint. */
export async function loadCheckpoint(
  dir: string,
  model: SiameseModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
): Promise<CheckpointState | undefined> {
  let stateText: string;
  try {
    stateText = await readFile(join(dir, 'state.json'), 'utf8');
  } catch {
    return undefined;
  }
  const state = StateSchema.parse(JSON.parse(stateText));
  const expected = recipeOf(config);
  for (const [key, value] of Object.entries(expected)) {
    if (JSON.stringify(state.recipe[key]) !== JSON.stringify(value)) {
      throw new Error(
        `${dir}: the checkpoint was made with ${key}=${JSON.stringify(state.recipe[key])}, this run has ${JSON.stringify(value)}; ` +
          'resume with the same settings or train without --resume into another --out',
      );
    }
  }
  const specs = WeightSpecsSchema.parse(JSON.parse(await readFile(join(dir, 'specs.json'), 'utf8')));
  const modelBytes = await readFile(join(dir, 'model.bin'));
  const optimizerBytes = await readFile(join(dir, 'optimizer.bin'));
  const modelWeights = tf.io.decodeWeights(toArrayBuffer(modelBytes), specs.model);
  const values = model.pair.weights.map((_, i) => {
    const tensor = modelWeights[`w${i}`];
    if (!tensor)
      throw new Error(`${dir}/model.bin: weight ${i} is missing; the checkpoint does not fit this model`);
    return tensor;
  });
  model.pair.setWeights(values);
  tf.dispose(values);
  const optimizerMap = tf.io.decodeWeights(toArrayBuffer(optimizerBytes), specs.optimizer);
  await optimizer.setWeights(
    specs.optimizer.map((spec: { name: string }) => ({ name: spec.name, tensor: optimizerMap[spec.name]! })),
  );
  return state;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
