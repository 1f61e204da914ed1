import { execFile, spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArtifact } from '@twinnet/core';
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

/** Runs the peer script with one thread count; its progress goes to our stderr. */
export async function runPeer(python: string, spec: PeerSpec): Promise<PeerOutput> {
  const tag = `${spec.threads}t-${spec.jobs.map((j) => j.kind).join('-')}`;
  const specFile = join(spec.outDir, `spec-${tag}.json`);
  const outFile = join(spec.outDir, `out-${tag}.json`);
  await writeFile(specFile, JSON.stringify(spec));
  const threads = String(spec.threads);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(python, [PEER_SCRIPT, specFile, outFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
      // The same thread count everywhere torch or its libraries might look; no __pycache__ in the repo.
      env: {
        ...process.env,
        OMP_NUM_THREADS: threads,
        MKL_NUM_THREADS: threads,
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve(signal ? null : status));
  });
  if (code !== 0) throw new Error(`PyTorch peer (${tag}) failed with exit ${code ?? 'by signal'}; see above`);
  return parseArtifact(PeerOutputSchema, await readFile(outFile, 'utf8'), outFile);
}
