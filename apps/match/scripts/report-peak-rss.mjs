// Preloaded with `node --import` into a child process: at exit, writes the process's peak resident set size
// (KiB) to the file named by PEAK_RSS_FILE. On Linux it is VmHWM, the high-water mark of this program's own
// memory: getrusage's maxRSS also keeps the RSS the forked parent had before exec, which is not this program's.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKib() {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
    if (line) return Number(line[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, String(peakKib()));
});
