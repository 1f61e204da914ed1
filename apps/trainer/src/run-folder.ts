import { join } from 'node:path';
import { replaceDirectory } from '@twinnet/core/node';

/**
 * Writes a run's folder whole or not at all (core's replaceDirectory): a failure (a full disk, a kill) leaves the
 * previous complete run as it was and no mix of old and new files; the gallery and `Matcher` never see a
 * half-written run, and the temporary folder is hidden from them.
 */
export async function writeRunFolder(
  outDir: string,
  run: string,
  write: (dir: string) => Promise<void>,
): Promise<void> {
  const final = join(outDir, run);
  try {
    await replaceDirectory(final, write);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${run}: writing the run failed (${reason}); the previous ${final}, if any, is untouched`,
    );
  }
}
