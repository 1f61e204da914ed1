import { VARIANTS, type Variant } from '@twinnet/core';

/**
 * What a throughput worker measures: a variant's pair training (the seed reproductions), or the classifier
 * workload, the vgg tower trained by the cosine classifier on P×K batches (protocol.classifier).
 */
export const CLASSIFIER = 'vgg-classifier';
export type Workload = Variant | typeof CLASSIFIER;
export const WORKLOADS: readonly Workload[] = [...VARIANTS, CLASSIFIER];

export const isVariant = (w: Workload): w is Variant => w !== CLASSIFIER;
