import { spawn } from 'node:child_process';

export interface CommandResult {
  status: number | null;
  /** stdout and stderr interleaved, as a user would have seen them. */
  output: string;
}

/** Runs a command to its end and keeps its output (pnpm install and node-gyp take seconds, so not spawnSync). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
    child.on('error', (error) => resolve({ status: null, output: `${chunks.join('')}${error.message}` }));
    child.on('close', (status) => resolve({ status, output: chunks.join('') }));
  });
}

/** The last non-empty lines of a command's output, for an error message. */
export function tail(output: string, lines = 5): string {
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-lines)
    .join('\n');
}
