import {
  type BenchProtocol,
  chooseThreshold,
  createRng,
  disposeSiamese,
  embed,
  fit,
  indexByClass,
  type PairLoss,
  type Pairs,
  pairLoss,
  type SiameseModel,
  type StepEvent,
  samplePairs,
  scoreEmbeddedPairs,
  streamSeed,
} from '@twinnet/core';
import type { BenchData } from '../data.ts';
import { pairsDigest } from '../digest.ts';
import { PURPOSE } from '../protocol.ts';
import {
  type FlatRecipe,
  flatRecipe,
  pairEquivalentsPerStep,
  trainingClasses,
  ttaRecipe,
} from '../recipe.ts';

export interface TtaPointRaw {
  pairs: number;
  seconds: number;
  accuracy: number;
}

export interface TtaRaw {
  recipe: FlatRecipe;
  pairing: string;
  epochs: number;
  reached: boolean;
  seconds: number | null;
  pairs: number | null;
  wallSeconds: number;
  curve: TtaPointRaw[];
  validationDigest: string;
  /** Why the run ended: the target, the cap, or the preset's last epoch. */
  stoppedBy: 'target' | 'cap' | 'epochs';
}

/**
 * The time-to-accuracy recipe (the mnist-contrastive preset with the protocol's overrides) through core's fit,
 * with validation accuracy checked every `evalEveryPairs` pair equivalents on fixed seeded pairs of the validation
 * split, at the threshold that is best on those pairs; fit is aborted at the target or the cap. Evaluation time
 * is not counted.
 */
export async function timeToAccuracy(data: BenchData, protocol: BenchProtocol): Promise<TtaRaw> {
  const recipe = ttaRecipe(protocol);
  const { tta, seed } = protocol;
  const classes = trainingClasses(recipe);
  const validationPairs = samplePairs(
    indexByClass(data.validation.labels, classes),
    tta.validationPairs,
    createRng(streamSeed(seed, PURPOSE.ttaValidationPairs)),
  );
  const accuracyOf = validationAccuracy(
    data.validation.images,
    validationPairs,
    pairLoss(recipe.loss.kind, recipe.loss),
  );
  const pairsPerStep = pairEquivalentsPerStep(recipe);
  // One stream for the whole run, whatever the epoch.
  const rng = createRng(streamSeed(seed, PURPOSE.ttaPairs));
  const abort = new AbortController();
  const curve: TtaPointRaw[] = [];
  // An object, because onStep sets it and a plain `let` would stay narrowed to 'epochs' after fit.
  const state: { stoppedBy: TtaRaw['stoppedBy'] } = { stoppedBy: 'epochs' };
  let started = performance.now();
  let evalMs = 0;
  let pairs = 0;
  let nextEval = tta.evalEveryPairs;
  const onStep = ({ model }: StepEvent) => {
    pairs += pairsPerStep;
    if (pairs >= nextEval) {
      nextEval += tta.evalEveryPairs;
      const evalStarted = performance.now();
      const accuracy = accuracyOf(model);
      const now = performance.now();
      evalMs += now - evalStarted;
      const point = { pairs: Math.round(pairs), seconds: (now - started - evalMs) / 1000, accuracy };
      curve.push(point);
      console.error(
        `[twinnet] tta: ${point.pairs} pairs, ${point.seconds.toFixed(1)} s, val acc ${(100 * accuracy).toFixed(2)}%`,
      );
      if (accuracy >= tta.target) state.stoppedBy = 'target';
    }
    if (state.stoppedBy === 'epochs' && performance.now() - started >= tta.capSeconds * 1000)
      state.stoppedBy = 'cap';
    if (state.stoppedBy !== 'epochs') abort.abort();
  };
  const { model, optimizer } = await fit(
    recipe,
    { train: data.train, classes },
    {
      signal: abort.signal,
      epochRng: () => rng,
      // The clock starts with training, after fit has built the model.
      onEpochStart: ({ epoch }) => {
        if (epoch === 1) started = performance.now();
      },
      onStep,
    },
  );
  disposeSiamese(model);
  optimizer.dispose();
  const reached = state.stoppedBy === 'target' ? curve.at(-1)! : undefined;
  return {
    recipe: flatRecipe(recipe),
    pairing: recipe.pairing.kind,
    epochs: recipe.epochs,
    reached: reached !== undefined,
    seconds: reached?.seconds ?? null,
    pairs: reached?.pairs ?? null,
    wallSeconds: (performance.now() - started) / 1000,
    curve,
    validationDigest: pairsDigest(validationPairs),
    stoppedBy: state.stoppedBy,
  };
}

/** Pair accuracy on the validation pairs at the threshold best on them. */
function validationAccuracy(
  images: Uint8Array,
  pairs: Pairs,
  loss: PairLoss,
): (model: SiameseModel) => number {
  return (model) => {
    const scored = scoreEmbeddedPairs(model, embed(model.readout, images), pairs, loss);
    return chooseThreshold(scored.scores, pairs.same, model.polarity).accuracy;
  };
}
