import { existsSync } from 'node:fs';
import { readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { runCommand, tail } from './command.ts';

/**
 * REF checked out beside the working tree, with its own dependencies and native kernels, so its code runs as it
 * was committed. One cached worktree (not one per commit): moving it to the next commit reinstalls in seconds and
 * rebuilds the native kernels only when their sources changed, where a fresh one costs a full install and build.
 *
 *   <repo>/node_modules/.cache/twinnet-bench/worktree        the worktree (ignored with node_modules/)
 *   <repo>/node_modules/.cache/twinnet-bench/worktree.json   the commit it was last prepared at
 */

/** A problem that stops REF from being prepared; its message names the thing and the fix. */
export class PrepareError extends Error {
  override name = 'PrepareError';
}

export interface PreparedRef {
  ref: string;
  sha: string;
  dir: string;
  /** True when the worktree was already prepared at this commit and clean: no install, no build. */
  reused: boolean;
  /** 'built', or why REF runs without native kernels. */
  native: string;
}

export interface PrepareOptions {
  repoRoot: string;
  ref: string;
  cacheDir: string;
  /** Environment of git, pnpm and the native build (tests point npm_config_store_dir elsewhere). */
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export const defaultCacheDir = (repoRoot: string) =>
  join(repoRoot, 'node_modules', '.cache', 'twinnet-bench');

export async function prepareRef(options: PrepareOptions): Promise<PreparedRef> {
  const { repoRoot, ref, cacheDir, log } = options;
  const env = installEnv(options.env ?? process.env);
  const sha = await resolveRef(repoRoot, ref, env);
  const dir = join(cacheDir, 'worktree');
  const marker = join(cacheDir, 'worktree.json');
  const shown = relative(repoRoot, dir).startsWith('..') ? dir : relative(repoRoot, dir);
  if (existsSync(dir)) {
    await checkWorktree(repoRoot, dir, env);
    const head = (await git(['rev-parse', 'HEAD'], dir, env)).trim();
    if (head === sha && (await preparedAt(marker)) === sha) {
      log(`${ref} is ${sha.slice(0, 12)}: reusing its worktree in ${shown}`);
      return { ref, sha, dir, reused: true, native: await nativeState(dir) };
    }
    log(`${ref} is ${sha.slice(0, 12)}: moving the worktree in ${shown} there`);
    await git(['checkout', '--quiet', '--detach', sha], dir, env);
  } else {
    log(`${ref} is ${sha.slice(0, 12)}: creating its worktree in ${shown}`);
    // Forgets worktrees whose folders are gone (e.g. after rm -rf node_modules), which would block the path.
    await git(['worktree', 'prune'], repoRoot, env);
    await git(['worktree', 'add', '--quiet', '--detach', dir, sha], repoRoot, env);
  }
  await rm(marker, { force: true });
  log(`${ref}: pnpm install --offline --frozen-lockfile, then its native build`);
  await install(dir, env);
  const native = await buildNative(dir, env);
  await writeFile(marker, `${JSON.stringify({ sha, preparedAt: new Date().toISOString() })}\n`);
  return { ref, sha, dir, reused: false, native };
}

/** Drops the variables `pnpm run` sets for the bench's own package, which must not leak into REF's install. */
function installEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([k]) => !/^(npm_package_|npm_lifecycle_|PNPM_PACKAGE_NAME$)/.test(k)),
  );
}

async function git(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCommand('git', args, { cwd, env });
  if (result.status !== 0)
    throw new PrepareError(`git ${args.join(' ')} in ${cwd} failed:\n${tail(result.output)}`);
  return result.output;
}

async function resolveRef(repoRoot: string, ref: string, env: NodeJS.ProcessEnv): Promise<string> {
  const found =
    ref.startsWith('-') || ref.trim() === ''
      ? null
      : await runCommand('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
          cwd: repoRoot,
          env,
        });
  if (found?.status !== 0) {
    throw new PrepareError(
      `'${ref}' is not a commit of the repository at ${repoRoot}: give a branch, tag or commit that ` +
        'git rev-parse knows, e.g. --compare HEAD (the last commit, to check uncommitted work) or --compare main',
    );
  }
  return found.output.trim();
}

/** The cache must be a worktree of this repository with nothing changed in it: REF exactly as committed. */
async function checkWorktree(repoRoot: string, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const common = async (cwd: string) => {
    const result = await runCommand('git', ['rev-parse', '--git-common-dir'], { cwd, env });
    return result.status === 0 ? realpath(resolve(cwd, result.output.trim())).catch(() => null) : null;
  };
  const [ours, theirs] = await Promise.all([common(repoRoot), common(dir)]);
  const top = await runCommand('git', ['rev-parse', '--show-toplevel'], { cwd: dir, env });
  if (theirs === null || theirs !== ours || top.output.trim() !== (await realpath(dir))) {
    throw new PrepareError(
      `${dir} is not a git worktree of ${repoRoot}, so the bench cannot use it for REF: remove it ` +
        `(rm -rf ${dir}; then git worktree prune) and run again`,
    );
  }
  const status = await git(['status', '--porcelain'], dir, env);
  if (status.trim() !== '') {
    const lines = status
      .trimEnd()
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '));
    throw new PrepareError(
      `the cached worktree of REF at ${dir} has changes (${lines.length} file${lines.length === 1 ? '' : 's'}: ` +
        `${lines.slice(0, 3).join(', ')}${lines.length > 3 ? ', …' : ''}); the bench measures ` +
        `REF as committed and does not overwrite them. Keep what you need, then remove the cache with ` +
        `git worktree remove --force ${dir}`,
    );
  }
}

async function preparedAt(marker: string): Promise<string | null> {
  try {
    return (JSON.parse(await readFile(marker, 'utf8')) as { sha?: string }).sha ?? null;
  } catch {
    return null;
  }
}

async function install(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['install', '--offline', '--frozen-lockfile', '--config.confirm-modules-purge=false'];
  const result = await runCommand('pnpm', args, { cwd: dir, env });
  if (result.status === 0) return;
  if (result.status === null) {
    throw new PrepareError(`could not run pnpm (${tail(result.output, 1)}): install pnpm 10 and run again`);
  }
  const missing = result.output.split('\n').find((l) => /ERR_PNPM_NO_OFFLINE/.test(l));
  if (missing) {
    const store = await runCommand('pnpm', ['store', 'path'], { cwd: dir, env });
    throw new PrepareError(
      `REF's dependencies are not all in the pnpm store (${store.status === 0 ? store.output.trim() : 'pnpm store path failed'}), ` +
        `and the bench installs offline: ${missing.trim()}\nFix: run pnpm install in the repository once with ` +
        'network access (at a commit with the same lockfile as REF, so the store gets its packages), or point ' +
        'npm_config_store_dir at a store that has them',
    );
  }
  throw new PrepareError(
    `pnpm ${args.join(' ')} in ${dir} failed (exit ${result.status}):\n${tail(result.output)}`,
  );
}

/**
 * pnpm runs the native package's install script on a fresh install only; after the worktree moves to another
 * commit the build script runs again (it skips the compile when the addon is newer than its sources).
 */
async function buildNative(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const native = join(dir, 'packages', 'native');
  if (!existsSync(join(native, 'scripts', 'build.mjs'))) return 'REF has no native package';
  await runCommand(process.execPath, ['scripts/build.mjs'], { cwd: native, env });
  return nativeState(dir);
}

async function nativeState(dir: string): Promise<string> {
  const error = join(dir, 'packages', 'native', 'build', 'error.txt');
  if (existsSync(error)) return `not built: ${(await readFile(error, 'utf8')).split('\n')[0]}`;
  return existsSync(join(dir, 'packages', 'native')) ? 'built' : 'REF has no native package';
}
