// Whether a process recorded in a file (a lock, a temporary folder's name) still runs. Node only.
import { readFileSync } from 'node:fs';

/** True while `pid` runs: signal 0 checks without sending anything (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When `pid` started, in clock ticks since boot (Linux /proc/PID/stat, field 22), so a lock can tell its holder
 * from a later process that was given the same pid; undefined where /proc is not available.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
