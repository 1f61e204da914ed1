import cliProgress from 'cli-progress';

/** Reports one epoch's steps: a live bar on a terminal, a few plain lines elsewhere (CI logs). */
export interface EpochProgress {
  update(step: number, pairs: number, loss: number): void;
  stop(): void;
}

export function epochProgress(
  label: string,
  steps: number,
  stream: NodeJS.WriteStream = process.stderr,
): EpochProgress {
  const started = performance.now();
  const rate = (pairs: number) => pairs / Math.max(1e-3, (performance.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | step {value}/{total} | {pairs} pairs | {rate} pairs/s | loss {loss} | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(steps, 0, { pairs: 0, rate: '-', loss: '-' });
    return {
      update: (step, pairs, loss) =>
        bar.update(step, { pairs, rate: rate(pairs).toFixed(0), loss: loss.toFixed(4) }),
      stop: () => bar.stop(),
    };
  }
  let nextReport = 0.25;
  return {
    update(step, pairs, loss) {
      if (step / steps < nextReport) return;
      nextReport += 0.25;
      const seconds = (performance.now() - started) / 1000;
      const eta = (seconds / step) * (steps - step);
      stream.write(
        `${label} ${((100 * step) / steps).toFixed(0)}% step ${step}/${steps}, ${pairs} pairs, ${rate(pairs).toFixed(0)} pairs/s, loss ${loss.toFixed(4)}, ETA ${eta.toFixed(0)} s\n`,
      );
    },
    stop() {},
  };
}
