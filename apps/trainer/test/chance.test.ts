import { checkRecipe, MetricsSchema, preset } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { chanceCheck, describeChance } from '../src/chance.ts';
import { USAGE } from '../src/cli-args.ts';

describe('chanceCheck', () => {
  const wide = checkRecipe({
    ...preset('mnist', 'contrastive'),
    tower: { kind: 'small', embeddingDim: 4096 },
  });

  it('flags a test AUC within noise of 0.5 and names the settings that left the preset', () => {
    const chance = chanceCheck(wide, { pairs: 10_000, auc: 0.5 });
    expect(chance.atChance).toBe(true);
    // Three standard errors of a coin's AUC on 5,000 same and 5,000 different pairs.
    expect(chance.aucNoise).toBeCloseTo(3 * Math.sqrt(10_001 / (12 * 5000 * 5000)), 10);
    expect(chance.advice).toEqual([
      'go back towards the mnist-contrastive preset, which trains: --embedding-dim 4096 (the preset has 10)',
      'lower --learning-rate (now 0.002), or train longer (--epochs, now 12)',
    ]);
    expect(describeChance('mnist-contrastive', chance)).toMatch(
      /^mnist-contrastive: warning: ended at chance: test AUC 0\.5000 is within ±0\.0173 of 0\.5, .*Try: go back towards the mnist-contrastive preset/,
    );
  });

  it('leaves runs that learned alone, and scales the noise with the number of test pairs', () => {
    expect(chanceCheck(wide, { pairs: 10_000, auc: 0.52 })).toMatchObject({ atChance: false, advice: [] });
    expect(chanceCheck(wide, { pairs: 10_000, auc: 0.9995 }).atChance).toBe(false);
    // 50 pairs cannot tell 0.6 from a coin; 10,000 can.
    expect(chanceCheck(wide, { pairs: 50, auc: 0.6 }).atChance).toBe(true);
    expect(chanceCheck(wide, { pairs: 10_000, auc: 0.6 }).atChance).toBe(false);
    // The preset itself: nothing to go back to, only the rate and the length.
    expect(chanceCheck(preset('mnist', 'bce'), { pairs: 10_000, auc: 0.49 }).advice).toEqual([
      'lower --learning-rate (now 0.001), or train longer (--epochs, now 4)',
    ]);
  });

  it('is what --help warns of for the widest embedding', () => {
    expect(USAGE).toMatch(
      /--embedding-dim N +width of the embedding \(the small tower stays at chance at 4096/,
    );
  });

  it('is an optional field of metrics.json: runs written before it still load', () => {
    const chance = MetricsSchema.shape.chance;
    expect(chance.safeParse(undefined).success).toBe(true);
    expect(chance.safeParse(chanceCheck(wide, { pairs: 10_000, auc: 0.5 })).success).toBe(true);
    expect(chance.safeParse({ atChance: true, auc: Number.NaN, aucNoise: 0.01, advice: [] }).success).toBe(
      false,
    );
  });
});
