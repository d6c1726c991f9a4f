import autocannon, { type Options } from 'autocannon';

/** What one load run measured. */
export interface Load {
  /** Answered requests per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that failed: connection errors, timeouts, answers other than 2xx. */
  failed: number;
}

/** Runs autocannon and keeps the figures the benchmarks compare. */
export async function load(options: Options): Promise<Load> {
  const result = await autocannon(options);
  return {
    throughput: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

/**
 * Runs the gateway and the baseline in turn, `rounds` times, so that a drift of the machine
 * (other work, a warming cache) falls on both; each side's figures are the medians of its rounds.
 */
export async function alternate(
  rounds: number,
  gateway: () => Promise<Load>,
  baseline: () => Promise<Load>,
): Promise<{ gateway: Load; baseline: Load }> {
  const runs = { gateway: [] as Load[], baseline: [] as Load[] };
  for (let round = 0; round < rounds; round++) {
    runs.gateway.push(await gateway());
    runs.baseline.push(await baseline());
  }
  return { gateway: medianOf(runs.gateway), baseline: medianOf(runs.baseline) };
}

function medianOf(loads: Load[]): Load {
  const median = (pick: (load: Load) => number) => {
    const sorted = loads.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  return {
    throughput: median((l) => l.throughput),
    p50Ms: median((l) => l.p50Ms),
    p99Ms: median((l) => l.p99Ms),
    failed: loads.reduce((sum, l) => sum + l.failed, 0),
  };
}
