import cliProgress from 'cli-progress';

/** Reports one epoch's steps: a live bar on a terminal, a few plain lines elsewhere (CI logs). */
export interface EpochProgress {
  update(pairs: number, loss: number): void;
  stop(): void;
}

export function epochProgress(
  label: string,
  totalPairs: number,
  stream: NodeJS.WriteStream = process.stderr,
): EpochProgress {
  const started = performance.now();
  const rate = (pairs: number) => pairs / Math.max(1e-3, (performance.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} pairs | {rate} pairs/s | loss {loss} | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalPairs, 0, { rate: '-', loss: '-' });
    return {
      update: (pairs, loss) => bar.update(pairs, { rate: rate(pairs).toFixed(0), loss: loss.toFixed(4) }),
      stop: () => bar.stop(),
    };
  }
  let nextReport = 0.25;
  return {
    update(pairs, loss) {
      if (pairs / totalPairs < nextReport) return;
      nextReport += 0.25;
      const eta = (totalPairs - pairs) / rate(pairs);
      stream.write(
        `${label} ${((100 * pairs) / totalPairs).toFixed(0)}% ${pairs}/${totalPairs} pairs, ${rate(pairs).toFixed(0)} pairs/s, loss ${loss.toFixed(4)}, ETA ${eta.toFixed(0)} s\n`,
      );
    },
    stop() {},
  };
}
