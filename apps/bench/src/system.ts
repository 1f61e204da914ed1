import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machine() {
  return {
    cpuModel: cpuModel(),
    logicalCores: availableParallelism(),
    totalMemoryMiB: totalmem() / 2 ** 20,
  };
}

export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [one, five, fifteen];
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The commit the run measured, and whether tracked files differed from it (untracked files ignored). */
export function gitState(cwd: string): { commit: string; dirty: boolean } {
  return {
    commit: git(['rev-parse', '--short=12', 'HEAD'], cwd) ?? 'unknown',
    dirty: (git(['status', '--porcelain', '--untracked-files=no'], cwd) ?? '') !== '',
  };
}
