// The run page's recipe and embedding labels from the fixture runs' metrics.json: a metric run matched by its
// readout (pooled features and the map beside them), and a run written before metrics.json recorded widths.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetricsSchema, parseArtifact } from '@twinnet/core';
import { describe, expect, it } from 'vitest';
import { embeddingLabel, recipeLabel } from '../src/lib/server/training.ts';
import { fixtureArtifacts } from './setup/fixtures.ts';
import { LEGACY_FIXTURE_RUN, METRIC_FIXTURE_RUN } from './setup/paths.ts';

const read = async (run: string) =>
  parseArtifact(MetricsSchema, await readFile(join(fixtureArtifacts(), run, 'metrics.json'), 'utf8'), run);

describe('recipe and embedding labels', () => {
  it('name the readout and the width matching reads, not the tower output alone', async () => {
    const metric = await read(METRIC_FIXTURE_RUN);
    expect(metric.recipe.tower.readout).toBe('output+grid');
    expect(recipeLabel(metric)).toMatch(/^encoder tower \(512-d, read out as output\+grid\), cosine head/);
    expect(metric.embedding?.dim).toBe(512 + 2048);
    expect(embeddingLabel(metric)).toBe('2560-d, L2-normalised, cosine similarity');
  });

  it("fall back to the tower's width for runs written before it was recorded", async () => {
    const legacy = await read(LEGACY_FIXTURE_RUN);
    expect(legacy.embedding).toBeUndefined();
    expect(embeddingLabel(legacy)).toMatch(new RegExp(`^${legacy.recipe.tower.embeddingDim}-d, `));
    expect(recipeLabel(legacy)).not.toMatch(/read out as/);
  });
});
