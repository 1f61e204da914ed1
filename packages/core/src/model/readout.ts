import * as tf from '@tensorflow/tfjs';
import { TOWERS } from './towers/index.ts';

/**
 * What matching embeds an image by, once the tower is trained:
 * - 'output': the tower's own output, the embedding the loss trained;
 * - 'grid': the flattened feature map of the tower's `gridLayer` (the encoder's 4×4×128 before its last
 *   convolution): where each stroke is as well as what it is, which global pooling averages away. It transfers
 *   better to validation classes but forgets the training classes, so no preset uses it (docs/transfer.md,
 *   "Readout").
 */
export const READOUTS = ['output', 'grid'] as const;
export type Readout = (typeof READOUTS)[number];

/** Whether a tower kind can be read out as `readout`; null if it can, else why not. */
export function readoutProblem(towerKind: string, readout: Readout): string | null {
  if (readout === 'grid' && TOWERS.get(towerKind).gridLayer === undefined)
    return `tower '${towerKind}' has no feature map for the grid readout (only 'output')`;
  return null;
}

/**
 * The model matching embeds by: the tower itself for 'output'; for 'grid', a model on the same input and layers
 * (so the same weights, trained as the tower trains) that ends at the grid layer's map, flattened. Built of
 * stock layers only, so it saves and loads with plain tf.loadLayersModel like any tower.
 */
export function buildReadout(tower: tf.LayersModel, towerKind: string, readout: Readout): tf.LayersModel {
  if (readout === 'output') return tower;
  const problem = readoutProblem(towerKind, readout);
  if (problem) throw new Error(problem);
  const map = tower.layers[TOWERS.get(towerKind).gridLayer!]!.output as tf.SymbolicTensor;
  return tf.model({
    inputs: tower.inputs,
    outputs: tf.layers.flatten({ name: 'grid' }).apply(map) as tf.SymbolicTensor,
    name: 'tower',
  });
}
