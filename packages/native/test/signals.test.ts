// The kernels under V8's CPU profiler, whose sampler interrupts the JS thread with SIGPROF every 100 µs here.
// oneDNN's JIT sgemm points rsp into the heap while it runs, so before the addon held signals around its kernels
// a profiled run corrupted the heap within a second or two and aborted (see SignalsHeld in src/addon.cc).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const addon =
  process.env.TWINNET_NATIVE_ADDON ||
  fileURLToPath(new URL('../build/Release/twinnet_native.node', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/profiled-gemms.mjs', import.meta.url));

describe('signals', () => {
  it('survives node --cpu-prof through the GEMM routes (oneDNN#4845)', () => {
    const profiles = mkdtempSync(join(tmpdir(), 'twinnet-cpu-prof-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval', '100', fixture, addon, '2'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect({ status: run.status, signal: run.signal, stderr: run.stderr.trim() }).toEqual({
        status: 0,
        signal: null,
        stderr: '',
      });
      expect(run.stdout).toMatch(/^passes: [1-9]\d*$/m);
      expect(readdirSync(profiles).filter((f) => f.endsWith('.cpuprofile'))).toHaveLength(1);
    } finally {
      rmSync(profiles, { recursive: true, force: true });
    }
  });
});
