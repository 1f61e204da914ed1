// Preloaded with `node --import` into a child process: at exit, writes the process's peak resident set size
// (KiB, from getrusage) to the file named by PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE)
    writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
