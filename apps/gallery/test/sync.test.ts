// The sync publishes whole runs only: the trainer's hidden temp folders and checkpoints are not runs, and every
// model the matcher reads (head/ included) is copied.
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES } from '@twinnet/core';
import { afterAll, expect, it } from 'vitest';
import { syncArtifacts } from '../src/lib/server/sync.ts';
import { fixtureArtifacts } from './setup/fixtures.ts';
import { FIXTURE_RUN } from './setup/paths.ts';

const scratch = await mkdtemp(join(tmpdir(), 'gallery-sync-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

it('skips hidden folders and copies tower/, pair/ and head/', async () => {
  const source = join(scratch, 'artifacts');
  const run = join(fixtureArtifacts(), FIXTURE_RUN);
  // A finished run, the same run mid-write and its checkpoint: only the first is published.
  await cp(run, join(source, FIXTURE_RUN), { recursive: true });
  await cp(run, join(source, `.${FIXTURE_RUN}.partial-4242`), { recursive: true });
  await cp(run, join(source, '.checkpoints', FIXTURE_RUN), { recursive: true });
  const target = join(scratch, 'data');
  const index = await syncArtifacts({ source, target, log: () => {} });
  expect(index.runs).toEqual([FIXTURE_RUN]);
  expect(index.skipped).toEqual([]);
  for (const file of [ARTIFACT_FILES.tower, ARTIFACT_FILES.pair, ARTIFACT_FILES.head]) {
    expect((await stat(join(target, FIXTURE_RUN, file))).isFile()).toBe(true);
  }
});
