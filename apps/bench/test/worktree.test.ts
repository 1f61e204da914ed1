import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrepareError, prepareRef } from '../src/ab/worktree.ts';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

const LOCKFILE_HEAD = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false
`;

/** seedrandom: a small package with no dependencies, pinned as the repository's own lockfile pins it. */
const SEEDRANDOM = {
  manifest: { name: 'fixture', private: true, dependencies: { seedrandom: '3.0.5' } },
  lockfile: `${LOCKFILE_HEAD}
importers:

  .:
    dependencies:
      seedrandom:
        specifier: 3.0.5
        version: 3.0.5

packages:

  seedrandom@3.0.5:
    resolution: {integrity: sha512-8OwmbklUNzwezjGInmZ+2clQmExQPvomqjL7LFqOYqtmuxRgQYqOD3mHaU+MvZn5FLUeVxVfQjwLZW/n/JFuqg==}

snapshots:

  seedrandom@3.0.5: {}
`,
};

const NO_DEPENDENCIES = {
  manifest: { name: 'fixture', private: true },
  lockfile: `${LOCKFILE_HEAD}
importers:

  .: {}
`,
};

/** A one-commit repository, a cache folder and an empty pnpm store, all in a temporary folder. */
async function fixture(files: { manifest: object; lockfile: string }) {
  const root = await mkdtemp(join(tmpdir(), 'twinnet-bench-worktree-'));
  made.push(root);
  const repo = join(root, 'repo');
  await mkdir(repo);
  await writeFile(join(repo, 'package.json'), JSON.stringify(files.manifest));
  await writeFile(join(repo, 'pnpm-lock.yaml'), files.lockfile);
  await writeFile(join(repo, '.gitignore'), 'node_modules/\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: repo,
      stdio: 'pipe',
    });
  git('init', '--quiet');
  git('add', '.');
  git('commit', '--quiet', '-m', 'fixture');
  const store = join(root, 'empty-store');
  return {
    repo,
    cacheDir: join(root, 'cache'),
    // An empty store stands for a machine that never installed REF's packages.
    env: { ...process.env, npm_config_store_dir: store },
  };
}

const prepare = (f: Awaited<ReturnType<typeof fixture>>, ref = 'HEAD') =>
  prepareRef({ repoRoot: f.repo, ref, cacheDir: f.cacheDir, env: f.env, log: () => {} });

describe('prepareRef', () => {
  it('refuses a ref git does not know, naming it and what to give instead', async () => {
    const f = await fixture(NO_DEPENDENCIES);
    const error = await prepare(f, 'no-such-branch').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrepareError);
    expect((error as Error).message).toMatch(/'no-such-branch' is not a commit of the repository at .*repo/);
    expect((error as Error).message).toContain('--compare HEAD');
    expect((await prepare(f, '--output=x').catch((e: Error) => e.message)) as string).toMatch(/not a commit/);
    expect(existsSync(f.cacheDir)).toBe(false);
  });

  it('says the pnpm store lacks REF’s packages when the offline install cannot find them', async () => {
    const f = await fixture(SEEDRANDOM);
    const error = await prepare(f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrepareError);
    const message = (error as Error).message;
    expect(message).toMatch(/REF's dependencies are not all in the pnpm store \(.*empty-store/);
    expect(message).toContain('seedrandom');
    expect(message).toMatch(/Fix: run pnpm install in the repository once with network access/);
  });

  it('reuses a clean worktree at the same commit, and refuses one with changes', async () => {
    const f = await fixture(NO_DEPENDENCIES);
    const first = await prepare(f);
    expect(first.reused).toBe(false);
    expect(existsSync(join(first.dir, 'package.json'))).toBe(true);
    const again = await prepare(f);
    expect(again).toMatchObject({ reused: true, sha: first.sha, dir: first.dir });

    await writeFile(join(first.dir, 'package.json'), '{"name":"edited"}');
    const error = await prepare(f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrepareError);
    expect((error as Error).message).toMatch(
      /the cached worktree of REF at .*worktree has changes \(1 file: M package\.json\)/,
    );
    expect((error as Error).message).toContain(`git worktree remove --force ${first.dir}`);
  });
});
