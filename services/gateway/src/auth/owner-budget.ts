import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Seconds to wait before the owner may go on, or undefined when the call may go ahead. */
export type TakeFromBudget = (owner: string) => Promise<number | undefined>;

/** A per-owner budget of calls per minute, counted in this instance; 0 means no limit. */
export function createOwnerBudget(perMinute: number): TakeFromBudget {
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
