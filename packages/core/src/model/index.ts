// The model: towers, heads and the Siamese pair built from them.
// Browser-safe, like the package's root door that re-exports it.

export {
  buildHead,
  EuclideanDistance,
  euclideanDistance,
  HEADS,
  type Head,
  type HeadKind,
  type HeadSpec,
  headPolarity,
  l2Normalize,
  type Polarity,
  pairwiseCosine,
} from './heads/index.ts';
export { buildReadout, READOUTS, type Readout, readoutProblem } from './readout.ts';
export {
  buildSiamese,
  disposeSiamese,
  readoutPair,
  type SiameseModel,
  type SiameseOptions,
  trainableVariables,
} from './siamese.ts';
export { buildTower, TOWERS, type TowerKind, type TowerOptions, type TowerSpec } from './towers/index.ts';
