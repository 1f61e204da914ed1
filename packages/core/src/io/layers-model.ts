// Node's loader of saved layers models (io/files.ts exports it as loadModelFromDir): local paths, or URLs. The
// browser-safe loader, which takes its io, is readLayersModel in layers-reader.ts.
import type * as tf from '@tensorflow/tfjs';
import { readLayersModel } from './layers-reader.ts';
import { nodeIo } from './node-io.ts';

export const loadLayersModelAt = (dir: string): Promise<tf.LayersModel> => readLayersModel(dir, nodeIo);
