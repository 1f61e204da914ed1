import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArtifact } from '@twinnet/core';
import type { z } from 'zod';
import { type PeerOutput, PeerOutputSchema } from './peer-output.ts';

/** Debian's python3-torch installs into the system Python; a pyenv `python3` on PATH would not see it. */
export const DEFAULT_PYTHON = '/usr/bin/python3';
export const PEER_SCRIPT = fileURLToPath(new URL('../peers/siamese_torch.py', import.meta.url));

export type PeerProbe = { ok: true; python: string; torch: string } | { ok: false; reason: string };

/** Is PyTorch importable by this interpreter? Never throws: a missing peer is a skipped section, not an error. */
export async function probePeer(python: string): Promise<PeerProbe> {
  try {
    await access(python);
  } catch {
    return {
      ok: false,
      reason: `${python} not found (install python3-torch: apt-get install -y python3-torch)`,
    };
  }
  try {
    const { stdout } = await promisify(execFile)(
      python,
      ['-c', 'import sys, torch; print(sys.version.split()[0], torch.__version__)'],
      { timeout: 60_000 },
    );
    const [version, torch] = stdout.trim().split(/\s+/);
    return { ok: true, python: version ?? 'unknown', torch: torch ?? 'unknown' };
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')
      .at(-1);
    return {
      ok: false,
      reason: `PyTorch is not importable by ${python} (${detail}); install it with apt-get install -y python3-torch`,
    };
  }
}

export interface PeerSpec {
  seed: number;
  threads: number;
  dataDir: string;
  outDir: string;
  digestPairs: number;
  digestSeed: number;
  jobs: Record<string, unknown>[];
}

/** The same thread count everywhere torch or its libraries might look; no __pycache__ in the repo. */
function peerEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n, PYTHONDONTWRITEBYTECODE: '1' };
}

async function writeSpec(spec: PeerSpec, tag: string): Promise<string> {
  const file = join(spec.outDir, `spec-${spec.threads}t-${tag}.json`);
  await writeFile(file, JSON.stringify(spec));
  return file;
}

/** Runs the peer script's jobs (short runs, time to accuracy) at one thread count; progress on our stderr. */
export async function runPeer(python: string, spec: PeerSpec): Promise<PeerOutput> {
  const tag = spec.jobs.map((j) => j.kind).join('-');
  const specFile = await writeSpec(spec, tag);
  const outFile = join(spec.outDir, `out-${spec.threads}t-${tag}.json`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(python, [PEER_SCRIPT, specFile, outFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: peerEnv(spec.threads),
    });
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve(signal ? null : status));
  });
  if (code !== 0)
    throw new Error(
      `PyTorch peer (${spec.threads} thread(s), ${tag}) failed with exit ${code ?? 'by signal'}; see above`,
    );
  return parseArtifact(PeerOutputSchema, await readFile(outFile, 'utf8'), outFile);
}

/** The peer's throughput server (siamese_torch.py --serve): one JSON line out, one JSON line back. */
export class PeerSession {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly threads: number,
  ) {}

  static async start(python: string, spec: PeerSpec): Promise<PeerSession> {
    const specFile = await writeSpec(spec, 'serve');
    const child = spawn(python, [PEER_SCRIPT, specFile, '--serve'], { env: peerEnv(spec.threads) });
    child.stderr.pipe(process.stderr);
    return new PeerSession(
      child,
      createInterface({ input: child.stdout })[Symbol.asyncIterator](),
      spec.threads,
    );
  }

  async request<T>(schema: z.ZodType<T>, command: Record<string, unknown>): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await this.lines.next();
    const what = `PyTorch peer (${this.threads} thread(s)) ${String(command.op)}`;
    if (line.done) throw new Error(`${what}: the process ended without a reply; see above`);
    const reply = JSON.parse(line.value) as { error?: string };
    if (reply.error !== undefined) throw new Error(`${what}: ${reply.error}`);
    return parseArtifact(schema, line.value, what);
  }

  close(): void {
    this.child.stdin.end();
  }
}
