import type { Metadata } from 'next';
import Link from 'next/link';
import { TransferTable } from '../../components/TransferTable.tsx';
import { readIndex, readMetrics } from '../../lib/server/data.ts';
import { transferRows } from '../../lib/transfer.ts';

export const metadata: Metadata = { title: 'Transfer to unseen classes' };

export default async function TransferPage() {
  const index = await readIndex();
  const rows = transferRows(await Promise.all(index.runs.map(readMetrics)));
  return (
    <>
      <h1>Transfer to unseen classes</h1>
      <p>
        How well each hold-out run's embedding carries over to classes it never trained on: nearest-prototype
        episodes on test images of the held-out classes (N-way K-shot, ±95% interval), beside raw pixels
        scored on exactly the same episodes (same seeds, same images) — the figure to beat without any model.
      </p>
      <p className="muted small">
        Transfer runs also keep validation classes out of training and make every choice on them (the epoch,
        the open-set cuts); the held-out test classes steer nothing. A run keeps one open-set cut per support
        count, each calibrated on validation-class episodes with that many supports per class (some classes
        with supports, the others without) and applied unchanged to test-image episodes of the held-out
        classes with as many: AUROC of supported against unsupported queries, and the share of each called
        unknown (low with supports, high without is good), at 1 and at 5 supports. Runs written before
        per-count cuts kept one, chosen at 5 supports, for every count. Other datasets: N-way 1-shot on all
        classes of another dataset's test images, a domain the run never trained on, beside raw pixels on the
        same episodes.
      </p>
      {rows.length > 0 ? (
        <div className="table-scroll">
          <TransferTable rows={rows} />
        </div>
      ) : (
        <p className="notice" data-testid="no-transfer">
          No published run held classes out. Train one with <code>--holdout</code> (the default hold-out runs
          of <code>pnpm turbo train</code> do), then rebuild the gallery.
        </p>
      )}
      <p>
        <Link href="/">← all runs</Link>
      </p>
    </>
  );
}
