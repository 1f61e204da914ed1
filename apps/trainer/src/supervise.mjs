// The trainer's entry point for `pnpm turbo train` and `pnpm --filter trainer train`. Task runners do not pass a
// Ctrl-C on faithfully: turbo runs the task in a process group of its own, pnpm exits at once, `sh -c` forwards
// nothing, and turbo then SIGKILLs the group after a moment, mid-checkpoint. So the trainer runs detached, in its
// own process group, and this process relays SIGINT and SIGTERM to it; if this process is killed first, the
// trainer sees its IPC channel close and stops the same way: finish the step, save the checkpoint, exit 130.
import { fork } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const child = fork(cli, process.argv.slice(2), {
  detached: true,
  execArgv: [...process.execArgv, '--import', 'tsx'],
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal));
}
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
