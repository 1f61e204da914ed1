import * as tf from '@tensorflow/tfjs';

export interface SplitPair {
  /** The shared tower: one image in, one embedding out. */
  tower: tf.LayersModel;
  /** The head alone: two embeddings in, the pair's score out. */
  head: tf.LayersModel;
  dim: number;
}

/**
 * Splits a loaded pair model ([image_a, image_b] → shared tower → head) at the tower, so a query is embedded
 * once and compared with many support embeddings by the head alone. The head is a small graph (for the MLP
 * head, pair features beside both embeddings, then dense layers), so it is rebuilt by replaying every layer
 * after the tower on two embedding inputs, with the same (trained) layer objects.
 */
export function splitPairModel(pair: tf.LayersModel): SplitPair {
  const towerAt = pair.layers.findIndex((layer) => layer instanceof tf.LayersModel);
  if (towerAt < 0) throw new Error(`pair model ${pair.name} has no tower sub-model`);
  const tower = pair.layers[towerAt] as tf.LayersModel;
  const dim = tower.outputs[0]!.shape.at(-1)!;

  // Old symbolic tensor id → its counterpart in the head model.
  const replayed = new Map<number, tf.SymbolicTensor>();
  const inputs = pair.inputs.map((input, k) => {
    const node = tower.inboundNodes.find((n) => n.inputTensors[0]?.id === input.id);
    if (!node) throw new Error(`pair model ${pair.name}: input ${k} does not feed the tower`);
    const embedding = tf.input({ shape: [dim], name: `embedding_${k}` });
    replayed.set(node.outputTensors[0]!.id, embedding);
    return embedding;
  });
  for (const layer of pair.layers.slice(towerAt + 1)) {
    // Snapshot: applying the layer below adds a node to this very list.
    for (const node of [...layer.inboundNodes]) {
      const args = node.inputTensors.map((t) => replayed.get(t.id));
      if (args.some((a) => a === undefined)) continue; // a node of some other graph using this layer
      const out = layer.apply(args.length === 1 ? args[0]! : (args as tf.SymbolicTensor[]));
      const outs = (Array.isArray(out) ? out : [out]) as tf.SymbolicTensor[];
      for (const [i, t] of node.outputTensors.entries()) replayed.set(t.id, outs[i]!);
    }
  }
  const output = replayed.get(pair.outputs[0]!.id);
  if (!output) throw new Error(`pair model ${pair.name}: its output does not follow from the tower's`);
  return { tower, head: tf.model({ inputs, outputs: output, name: 'head' }), dim };
}
