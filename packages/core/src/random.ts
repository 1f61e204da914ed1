// The project's one seeded generator lives in @twinnet/datasets (the first package to need it); core re-exports it.
export { createRng, type Rng, range, shuffleInPlace } from '@twinnet/datasets/random';
