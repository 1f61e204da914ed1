// The instruction-set routes: which one the loader picks, what it says when the CPU lacks what the addon needs
// (simulated with TWINNET_NATIVE_HIDE), and that every route gives the same bits as the fastest one, whose
// results packages/core's tests compare with tfjs's cpu backend.
import { afterEach, describe, expect, it } from 'vitest';
import { chooseRoute, type Isa, loadNativeKernels, type NativeKernels } from '../src/index.ts';
import { reference, seeded, workload, workloadGeometries } from './workload.ts';

function load(env: Record<string, string> = {}): NativeKernels {
  Object.assign(process.env, env);
  const loaded = loadNativeKernels();
  if (!loaded.ok) throw new Error(`the addon must be built for these tests: ${loaded.reason}`);
  return loaded.kernels;
}

const routeOf = (native: NativeKernels) => native.describe().split(', ').at(-1);

afterEach(() => {
  delete process.env.TWINNET_NATIVE_ISA;
  delete process.env.TWINNET_NATIVE_HIDE;
  load(); // back to the fastest route
});

const isa = load().isa();
const runnable = isa.routes.filter((r) => r.needs.every((f) => isa.cpu.includes(f))).map((r) => r.name);

describe('routes', () => {
  it('lists what each route needs, and picks the fastest this CPU runs', () => {
    expect(isa.routes.at(-1)).toEqual({ name: 'baseline', needs: [] });
    if (process.arch === 'x64') {
      expect(isa.required).toEqual(['sse2']);
      expect(isa.routes.map((r) => r.name)).toEqual(['avx512', 'avx2', 'baseline']);
    }
    expect(routeOf(load())).toBe(runnable[0]);
  });

  it.each(runnable)('%s gives the same bits as the fastest route, for every kernel', (route) => {
    const expected = workload(load());
    const native = load({ TWINNET_NATIVE_ISA: route });
    expect(routeOf(native)).toBe(route);
    const actual = workload(native);
    for (const [name, values] of Object.entries(expected)) {
      const same = Buffer.from(actual[name]!.buffer).equals(Buffer.from(values.buffer));
      expect(same, `${route}: ${name}`).toBe(true);
    }
  });

  it('gives the same bits on one thread and on two, for every kernel', () => {
    const native = load();
    native.setThreads(1);
    const one = workload(native);
    native.setThreads(2);
    const two = workload(native);
    native.setThreads(1);
    for (const [name, values] of Object.entries(one)) {
      const same = Buffer.from(two[name]!.buffer).equals(Buffer.from(values.buffer));
      expect(same, `two threads: ${name}`).toBe(true);
    }
  });

  it('the baseline route matches a direct convolution on every convolution route', () => {
    const native = load({ TWINNET_NATIVE_ISA: 'baseline' });
    for (const [name, g] of Object.entries(workloadGeometries)) {
      const [n, ih, iw, ic, oh, ow, oc, kh, kw] = g as number[] as number[];
      const x = seeded(n! * ih! * iw! * ic!, 1);
      const w = seeded(kh! * kw! * ic! * oc!, 2);
      const y = new Float32Array(n! * oh! * ow! * oc!);
      native.conv2d(g, x, w, null, 0, y);
      const expected = reference(x, w, g);
      // Winograd's transforms round at about 1e-5 of the outputs' scale; the other routes sum products as given.
      const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
      const tolerance = name.startsWith('winograd') ? 2e-5 * scale : 5e-5;
      for (const [i, v] of y.entries())
        expect(Math.abs(v - expected[i]!), `${name} at ${i}`).toBeLessThan(tolerance);
    }
  });

  it('takes the next route down where the CPU seems to lack a feature', () => {
    if (!runnable.includes('avx2')) return;
    expect(routeOf(load({ TWINNET_NATIVE_HIDE: 'avx512f' }))).toBe('avx2');
    expect(routeOf(load({ TWINNET_NATIVE_HIDE: 'avx512f,x86-64-v3' }))).toBe('baseline');
  });

  it('falls back to plain wasm, in one line, where the CPU lacks what a route needs', () => {
    process.env.TWINNET_NATIVE_HIDE = 'sse2';
    expect(loadNativeKernels()).toEqual({
      ok: false,
      reason: 'native kernels: the addon was built for sse2; this CPU lacks sse2; falling back to plain wasm',
    });
    Object.assign(process.env, { TWINNET_NATIVE_HIDE: 'avx512bw,avx512vl', TWINNET_NATIVE_ISA: 'avx512' });
    // What it names: the hidden features, and any other the CPU really lacks (an AVX2-only CPU lacks them all).
    const lacking = isa.routes
      .find((r) => r.name === 'avx512')!
      .needs.filter((f) => ['avx512bw', 'avx512vl'].includes(f) || !isa.cpu.includes(f));
    expect(lacking).toEqual(expect.arrayContaining(['avx512bw', 'avx512vl']));
    expect(loadNativeKernels()).toEqual({
      ok: false,
      reason: `native kernels: TWINNET_NATIVE_ISA=avx512 needs ${lacking.join(', ')}, which this CPU lacks; falling back to plain wasm`,
    });
    process.env.TWINNET_NATIVE_ISA = 'sse9';
    const unknown = loadNativeKernels();
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.reason).toMatch(
      /TWINNET_NATIVE_ISA=sse9 is none of auto, .*baseline; falling back/,
    );
  });

  it('the addon itself refuses a route it does not have', () => {
    expect(() => load().useRoute('neon')).toThrow(
      "twinnet native: useRoute: no route named 'neon' in this build",
    );
  });
});

describe('chooseRoute', () => {
  const x64: Isa = {
    required: ['sse2'],
    routes: [
      { name: 'avx512', needs: ['avx2', 'x86-64-v3', 'avx512f', 'x86-64-v4'] },
      { name: 'avx2', needs: ['avx2', 'x86-64-v3'] },
      { name: 'baseline', needs: [] },
    ],
    cpu: ['sse2', 'avx2', 'x86-64-v3'],
  };

  it('picks the fastest route the CPU has everything for', () => {
    expect(chooseRoute(x64, {})).toEqual({ route: 'avx2' });
    expect(chooseRoute({ ...x64, cpu: ['sse2'] }, {})).toEqual({ route: 'baseline' });
    expect(chooseRoute(x64, { TWINNET_NATIVE_ISA: 'baseline' })).toEqual({ route: 'baseline' });
  });

  it('refuses a forced route, or the whole addon, the CPU cannot run', () => {
    expect(chooseRoute(x64, { TWINNET_NATIVE_ISA: 'avx512' })).toEqual({
      reason: 'TWINNET_NATIVE_ISA=avx512 needs avx512f, x86-64-v4, which this CPU lacks',
    });
    expect(chooseRoute({ ...x64, cpu: [] }, {})).toEqual({
      reason: 'the addon was built for sse2; this CPU lacks sse2',
    });
  });
});
