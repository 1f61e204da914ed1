import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a run's folder whole or not at all: everything goes into a hidden temporary folder beside it, which
 * then replaces the previous run by rename. A failure (a full disk, a kill) leaves the previous complete run as it
 * was and no mix of old and new files; the gallery and `Matcher` never see a half-written run.
 */
export async function writeRunFolder(
  outDir: string,
  run: string,
  write: (dir: string) => Promise<void>,
): Promise<void> {
  const final = join(outDir, run);
  const temp = join(outDir, `.${run}.partial-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot create ${temp}: ${error.code ?? error.message} (is ${outDir} writable?)`);
  });
  try {
    await write(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${run}: writing the run failed (${reason}); the previous ${final}, if any, is untouched`,
    );
  }
  const old = join(outDir, `.${run}.old-${process.pid}`);
  await rename(final, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temp, final);
  await rm(old, { recursive: true, force: true });
}
