import * as tf from '@tensorflow/tfjs';
import type { Head, HeadOptions, HeadSpec } from './head.ts';
import { PairFeatures } from './layers.ts';

function mlpHead({ hidden, seed }: HeadOptions): Head {
  // An MLP on the concatenated embeddings that outputs one logit (as in the PyTorch seed).
  const concat = tf.layers.concatenate({ name: 'head_concat' });
  const dense = tf.layers.dense({
    units: hidden,
    activation: 'relu',
    name: 'head_hidden',
    kernelInitializer: tf.initializers.heNormal({ seed: seed * 101 + 11 }),
  });
  const logit = tf.layers.dense({
    units: 1,
    name: 'head_logit',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + 12 }),
  });
  const features = new PairFeatures({ name: 'head_features' });
  return <T extends tf.Tensor | tf.SymbolicTensor>(a: T, b: T) =>
    logit.apply(dense.apply(concat.apply([a, b, features.apply([a, b] as tf.Tensor[])] as tf.Tensor[]))) as T;
}

export const mlp: HeadSpec = {
  summary: 'an MLP on [a, b, |a−b|, a⊙b] giving a logit (the PyTorch seed)',
  polarity: 'higher-is-same',
  comparesEmbeddings: false,
  build: mlpHead,
};
