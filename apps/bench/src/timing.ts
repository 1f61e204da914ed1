export interface Seconds {
  wall: number;
  /** CPU time of this process, all threads: it hardly moves when other processes compete for the cores. */
  cpu: number;
}

/** Wall and CPU seconds of a synchronous block. */
export function timed(block: () => void): Seconds {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  block();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}
