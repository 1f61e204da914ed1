import { execFileSync } from 'node:child_process';

/** The commit a run starts from and whether the work tree had uncommitted changes then ('unknown' outside git). */
export function gitProvenance(cwd?: string): { gitCommit: string; gitDirty: boolean } {
  const git = (args: string[]) =>
    execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      ...(cwd ? { cwd } : {}),
    }).trim();
  try {
    const gitCommit = git(['rev-parse', '--short=12', 'HEAD']);
    // Tracked files only: artifacts and caches are ignored, and untracked scratch files do not change the code.
    const gitDirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return { gitCommit, gitDirty };
  } catch {
    return { gitCommit: 'unknown', gitDirty: false };
  }
}
