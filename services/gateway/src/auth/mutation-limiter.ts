import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Seconds to wait before the owner may call again, or undefined when the call may go ahead. */
export type TakeMutation = (owner: string) => Promise<number | undefined>;

/** A per-owner budget of mutations per minute; 0 means no limit. */
export function createMutationLimiter(perMinute: number): TakeMutation {
  if (perMinute === 0) return async () => undefined;
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return async (owner) => {
    try {
      await limiter.consume(owner);
      return undefined;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    }
  };
}
