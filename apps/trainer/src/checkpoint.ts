import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  EpochRecordSchema,
  type FitState,
  resumeKey,
  type SiameseModel,
  type TrainRecipe,
} from '@twinnet/core';
import { replaceDirectory, writeFileAtomic } from '@twinnet/core/node';
import { z } from 'zod';

/** What a run needs to continue where it stopped: weights, optimizer slots, the state of fit. */
const StateSchema = z.object({
  run: z.string(),
  /** The recipe fields a resume must share (resumeKey). */
  recipe: z.record(z.string(), z.unknown()),
  state: z.object({
    /** Completed epochs; weights may be from inside the next one (then `partial` says how far). */
    epochsDone: z.number().int().nonnegative(),
    history: z.array(EpochRecordSchema),
    seconds: z.number().nonnegative(),
    partial: z
      .object({
        epoch: z.number().int().positive(),
        steps: z.number().int().nonnegative(),
        lossSum: z.number(),
        correct: z.number().nonnegative(),
        scored: z.number().nonnegative(),
        pairs: z.number().nonnegative(),
        seconds: z.number().nonnegative(),
      })
      .optional(),
  }),
  savedAt: z.string(),
});

const WeightSpecsSchema = z.object({ model: z.array(z.any()), optimizer: z.array(z.any()) });

/** A checkpoint that cannot be used: names the folder and the two ways forward. */
export class CheckpointError extends Error {
  constructor(dir: string, problem: string) {
    super(
      `${dir}: ${problem}. Train without --resume to start the run afresh, or delete ${dir} and run again`,
    );
    this.name = 'CheckpointError';
  }
}

/**
 * Writes the checkpoint folder whole (replaceDirectory), so a kill never leaves half of one. The loss's own
 * variables (a proxy loss's proxies) go into model.bin beside the model's weights, as l0, l1, …: they are the run's
 * to resume, not part of the exported tower.
 */
export async function saveCheckpoint(
  dir: string,
  model: SiameseModel,
  optimizer: tf.Optimizer,
  recipe: TrainRecipe,
  state: FitState,
  lossVariables: readonly tf.Variable[] = [],
): Promise<void> {
  const modelWeights = [
    ...model.pair.weights.map((w, i) => ({ name: `w${i}`, tensor: w.read() })),
    ...lossVariables.map((v, i) => ({ name: `l${i}`, tensor: v as tf.Tensor })),
  ];
  const encodedModel = await tf.io.encodeWeights(modelWeights);
  const encodedOptimizer = await tf.io.encodeWeights(await optimizer.getWeights());
  const saved = { run: recipe.run, recipe: resumeKey(recipe), state, savedAt: new Date().toISOString() };
  await replaceDirectory(dir, async (temp) => {
    const write = (file: string, data: string | Uint8Array) => writeFileAtomic(join(temp, file), data);
    await write('model.bin', new Uint8Array(tf.io.CompositeArrayBuffer.join(encodedModel.data)));
    await write('optimizer.bin', new Uint8Array(tf.io.CompositeArrayBuffer.join(encodedOptimizer.data)));
    await write(
      'specs.json',
      JSON.stringify({ model: encodedModel.specs, optimizer: encodedOptimizer.specs }),
    );
    await write('state.json', JSON.stringify(saved, null, 1));
  });
}

/**
 * Restores weights, the loss's own variables and optimizer state into a freshly built model; undefined when there
 * is no checkpoint.
 */
export async function loadCheckpoint(
  dir: string,
  model: SiameseModel,
  optimizer: tf.Optimizer,
  recipe: TrainRecipe,
  lossVariables: readonly tf.Variable[] = [],
): Promise<FitState | undefined> {
  let stateText: string;
  try {
    stateText = await readFile(join(dir, 'state.json'), 'utf8');
  } catch {
    return undefined;
  }
  const saved = parseState(dir, stateText);
  checkResumeKey(dir, saved, recipe);
  try {
    const specs = WeightSpecsSchema.parse(JSON.parse(await readFile(join(dir, 'specs.json'), 'utf8')));
    const modelMap = tf.io.decodeWeights(toArrayBuffer(await readFile(join(dir, 'model.bin'))), specs.model);
    const values = model.pair.weights.map((_, i) => {
      const tensor = modelMap[`w${i}`];
      if (!tensor) throw new Error(`weight ${i} is missing`);
      return tensor;
    });
    model.pair.setWeights(values);
    lossVariables.forEach((v, i) => {
      const tensor = modelMap[`l${i}`];
      if (!tensor) throw new Error(`the loss's variable ${i} is missing`);
      v.assign(tensor);
    });
    tf.dispose(Object.values(modelMap));
    const optimizerMap = tf.io.decodeWeights(
      toArrayBuffer(await readFile(join(dir, 'optimizer.bin'))),
      specs.optimizer,
    );
    await optimizer.setWeights(
      specs.optimizer.map((spec: { name: string }) => ({
        name: spec.name,
        tensor: optimizerMap[spec.name]!,
      })),
    );
  } catch (error) {
    // tfjs says only "should have 2560 values but has 426" of a truncated file.
    throw new CheckpointError(
      dir,
      `the checkpoint is damaged or does not fit this model (${(error as Error).message})`,
    );
  }
  return saved.state;
}

/** Refuses a checkpoint made with settings that shape the model, its data or its random streams differently. */
export function checkResumeKey(dir: string, saved: SavedState, recipe: TrainRecipe): void {
  for (const [key, value] of Object.entries(resumeKey(recipe))) {
    if (JSON.stringify(saved.recipe[key]) !== JSON.stringify(value)) {
      throw new CheckpointError(
        dir,
        `the checkpoint was made with ${key}=${JSON.stringify(saved.recipe[key])}, this run has ${JSON.stringify(value)}`,
      );
    }
  }
}

export type SavedState = z.infer<typeof StateSchema>;

/**
 * A checkpoint's state.json, checked against the format and for consistency (its history holds exactly the
 * epochs it says are done, a partial epoch is the next one), or a CheckpointError naming the folder.
 */
export function parseState(dir: string, text: string): SavedState {
  const saved = parseStateFormat(dir, text);
  const { epochsDone, history, partial } = saved.state;
  const numbers = history.map((h) => h.epoch).join(',');
  if (history.length !== epochsDone || history.some((h, i) => h.epoch !== i + 1))
    throw new CheckpointError(
      dir,
      `state.json says ${epochsDone} epochs are done, but its history holds epochs [${numbers}]`,
    );
  if (partial && partial.epoch !== epochsDone + 1)
    throw new CheckpointError(
      dir,
      `state.json holds part of epoch ${partial.epoch}, but the next epoch after ${epochsDone} is ${epochsDone + 1}`,
    );
  return saved;
}

function parseStateFormat(dir: string, text: string): SavedState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CheckpointError(dir, 'state.json is not valid JSON (truncated?)');
  }
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new CheckpointError(
      dir,
      `state.json does not match the checkpoint format (${first.path.join('.')}: ${first.message}); it may be from an older twinnet`,
    );
  }
  return parsed.data;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
