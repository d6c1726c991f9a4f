/**
 * mulberry32: a tiny seeded pseudo-random generator, uniform in [0, 1). The same seed gives the
 * same sequence on every run. Not for anything secret.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed for when none is given, so that it can still be reported and the run replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
