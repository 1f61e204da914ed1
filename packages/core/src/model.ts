import * as tf from '@tensorflow/tfjs';
import { buildHead, type Head, type HeadKind, headPolarity, type Polarity } from './heads.ts';
import { IMAGE_SIZE } from './images.ts';
import { buildTower, type TowerKind } from './towers.ts';

export interface SiameseOptions {
  tower: TowerKind;
  head: HeadKind;
  embeddingDim?: number;
  /** Hidden width of the MLP head. */
  headHidden?: number;
  seed?: number;
}

/**
 * One tower shared by both inputs, and a head on the two embeddings. `pair` is the saved, two-input model;
 * training runs the tower once on both halves of a batch and applies `head` to the result, which computes the
 * same function with the same weights.
 */
export interface SiameseModel {
  readonly tower: tf.LayersModel;
  readonly pair: tf.LayersModel;
  readonly head: Head;
  readonly headKind: HeadKind;
  readonly polarity: Polarity;
}

export function buildSiamese(options: SiameseOptions): SiameseModel {
  const { seed = 1 } = options;
  const tower = buildTower(options.tower, {
    seed,
    ...(options.embeddingDim ? { embeddingDim: options.embeddingDim } : {}),
  });
  const head = buildHead(options.head, {
    seed,
    ...(options.headHidden ? { hidden: options.headHidden } : {}),
  });
  const a = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image_a' });
  const b = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image_b' });
  const output = head(tower.apply(a) as tf.SymbolicTensor, tower.apply(b) as tf.SymbolicTensor);
  const pair = tf.model({ inputs: [a, b], outputs: output as tf.SymbolicTensor, name: 'pair' });
  return { tower, pair, head, headKind: options.head, polarity: headPolarity(options.head) };
}

/** The variables an optimizer should update: the tower's (once, though it is applied twice) and the head's. */
export function trainableVariables(model: SiameseModel): tf.Variable[] {
  return model.pair.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function disposeSiamese(model: SiameseModel): void {
  model.pair.dispose();
}
