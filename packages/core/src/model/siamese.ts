import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../images.ts';
import { buildHead, type Head, type HeadKind, headPolarity, type Polarity } from './heads/index.ts';
import { buildReadout, type Readout } from './readout.ts';
import { buildTower, type TowerKind } from './towers/index.ts';

export interface SiameseOptions {
  tower: TowerKind;
  head: HeadKind;
  embeddingDim?: number;
  /** Multiplier of the tower's stage widths (scalable towers only). */
  towerWidth?: number;
  /** Hidden width of the MLP head. */
  headHidden?: number;
  /** What matching embeds by (default 'output': the tower's output). */
  readout?: Readout;
  seed?: number;
}

/**
 * One tower shared by both inputs, and a head on the two embeddings. `pair` is the saved, two-input model;
 * `headModel` is the head alone on two embeddings (what matching needs beside the tower); training runs the tower
 * once on both halves of a batch and applies `head` to the result: the same function with the same weights.
 * `readout` is what everything after training embeds by (evaluation, calibration, the saved tower/, matching):
 * the tower itself, or a model on its layers that reads an earlier feature map (model/readout.ts).
 */
export interface SiameseModel {
  readonly tower: tf.LayersModel;
  readonly readout: tf.LayersModel;
  readonly pair: tf.LayersModel;
  readonly headModel: tf.LayersModel;
  readonly head: Head;
  readonly headKind: HeadKind;
  readonly polarity: Polarity;
}

export function buildSiamese(options: SiameseOptions): SiameseModel {
  const { seed = 1 } = options;
  const tower = buildTower(options.tower, {
    seed,
    ...(options.embeddingDim ? { embeddingDim: options.embeddingDim } : {}),
    ...(options.towerWidth ? { width: options.towerWidth } : {}),
  });
  const head = buildHead(options.head, {
    seed,
    ...(options.headHidden ? { hidden: options.headHidden } : {}),
  });
  const a = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image_a' });
  const b = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image_b' });
  const output = head(tower.apply(a) as tf.SymbolicTensor, tower.apply(b) as tf.SymbolicTensor);
  const pair = tf.model({ inputs: [a, b], outputs: output as tf.SymbolicTensor, name: 'pair' });
  const readout = buildReadout(tower, options.tower, options.readout ?? 'output');
  // The head model compares what matching compares: the readout's embeddings.
  const dim = readout.outputs[0]!.shape.at(-1)!;
  const ea = tf.input({ shape: [dim], name: 'embedding_a' });
  const eb = tf.input({ shape: [dim], name: 'embedding_b' });
  const headModel = tf.model({ inputs: [ea, eb], outputs: head(ea, eb) as tf.SymbolicTensor, name: 'head' });
  return {
    tower,
    readout,
    pair,
    headModel,
    head,
    headKind: options.head,
    polarity: headPolarity(options.head),
  };
}

/**
 * The pair model as matching compares: `pair` itself when the readout is the tower's output, else the head on two
 * readouts (for saving as pair/; `pair`, which holds every trained weight, stays what training and checkpoints
 * use). Shares the tower's layers: it has no weights of its own to free.
 */
export function readoutPair(model: SiameseModel): tf.LayersModel {
  if (model.readout === model.tower) return model.pair;
  const [a, b] = model.pair.inputs as [tf.SymbolicTensor, tf.SymbolicTensor];
  const output = model.head(
    model.readout.apply(a) as tf.SymbolicTensor,
    model.readout.apply(b) as tf.SymbolicTensor,
  );
  return tf.model({ inputs: [a, b], outputs: output as tf.SymbolicTensor, name: 'pair' });
}

/** The variables an optimizer should update: the tower's (once, though it is applied twice) and the head's. */
export function trainableVariables(model: SiameseModel): tf.Variable[] {
  return model.pair.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Frees every weight (the readout has none of its own: its layers are the tower's). Layers count each symbolic
 * call as a reference (the tower is called twice in the pair model, the head again in the head model), so
 * disposing the models alone leaves the tower's weights behind.
 */
export function disposeSiamese(model: SiameseModel): void {
  const variables = model.pair.weights.map((w) => w.read());
  model.headModel.dispose();
  model.pair.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}
