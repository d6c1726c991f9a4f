/** One goal of a benchmark, as BENCHMARKS.md's table shows it. */
export interface Goal {
  name: string;
  target: string;
  measured: string;
  /** null for a figure the benchmark reports without a goal to meet. */
  met: boolean | null;
}

/** A goal on a ratio of the gateway's figure to the baseline's. */
export function ratioGoal(
  name: string,
  ratio: number,
  bound: { atLeast: number } | { atMost: number },
): Goal {
  const atLeast = 'atLeast' in bound;
  const limit = atLeast ? bound.atLeast : bound.atMost;
  return {
    name,
    target: `${atLeast ? '≥' : '≤'} ${limit}× baseline`,
    measured: `${ratio.toFixed(2)}×`,
    met: atLeast ? ratio >= limit : ratio <= limit,
  };
}
