import * as tf from '@tensorflow/tfjs';
import { TOWERS } from './towers/index.ts';

/**
 * What matching embeds an image by, once the tower is trained:
 * - 'output': the tower's own output, the embedding the loss trained;
 * - 'grid': the flattened feature map of the tower's `gridLayer` (the encoder's 4×4×128 before its last
 *   convolution): where each stroke is as well as what it is, which global pooling averages away. It transfers
 *   better to validation classes but forgets the training classes (docs/transfer.md, "Readout");
 * - 'output+grid': both, each centred and scaled to unit length, side by side: the grid's transfer with the output's
 *   memory of the training classes.
 */
export const READOUTS = ['output', 'grid', 'output+grid'] as const;
export type Readout = (typeof READOUTS)[number];

/** Whether a tower kind can be read out as `readout`; null if it can, else why not. */
export function readoutProblem(towerKind: string, readout: Readout): string | null {
  if (readout !== 'output' && TOWERS.get(towerKind).gridLayer === undefined)
    return `tower '${towerKind}' has no feature map for the '${readout}' readout (only 'output')`;
  return null;
}

/**
 * The model matching embeds by: the tower itself for 'output'; otherwise a model on the same input and layers
 * (so the same weights, trained as the tower trains) that ends at the grid layer's map, flattened, alone or
 * beside the output. Built of stock layers only, so it saves and loads with plain tf.loadLayersModel like any
 * tower.
 */
export function buildReadout(tower: tf.LayersModel, towerKind: string, readout: Readout): tf.LayersModel {
  if (readout === 'output') return tower;
  const problem = readoutProblem(towerKind, readout);
  if (problem) throw new Error(problem);
  const map = tower.layers[TOWERS.get(towerKind).gridLayer!]!.output as tf.SymbolicTensor;
  const grid = tf.layers.flatten({ name: 'grid' }).apply(map) as tf.SymbolicTensor;
  const output = tower.outputs[0]!;
  const outputs =
    readout === 'grid'
      ? grid
      : (tf.layers
          .concatenate({ name: 'output_grid' })
          .apply([unitLength(output, 'output'), unitLength(grid, 'grid')]) as tf.SymbolicTensor);
  return tf.model({ inputs: tower.inputs, outputs, name: 'tower' });
}

/**
 * `x` centred and scaled to unit length per row, by stock layers (tfjs has no L2-normalisation layer): layer
 * normalisation without gain or offset leaves each row with mean 0 and length √width, then a fixed rescale.
 * Joined parts then weigh the same in a cosine whatever their widths. Centring each row moves cosine
 * similarities by less than the folds' noise (0.2 points, docs/transfer.md "Readout").
 */
function unitLength(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const width = x.shape.at(-1)!;
  const normalised = tf.layers
    .layerNormalization({ center: false, scale: false, epsilon: 1e-6, name: `${name}_normalised` })
    .apply(x) as tf.SymbolicTensor;
  return tf.layers
    .rescaling({ scale: 1 / Math.sqrt(width), name: `${name}_unit` })
    .apply(normalised) as tf.SymbolicTensor;
}
