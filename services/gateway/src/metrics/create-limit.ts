import { type CreateLimiter, CreateNotAdmitted } from '@charanim/tasks';
import type { Metrics } from './registry.ts';

/**
 * The limiter with its waits and 429 holds on /metrics: how long creates queue for kie.ai's window
 * is what an operator sizes KIE_CREATE_LIMIT and CREATE_TIMEOUT_MS by.
 */
export function measuredCreateLimiter(limiter: CreateLimiter, metrics: Metrics): CreateLimiter {
  return {
    notAdmitted: limiter.notAdmitted,
    async admit(owner, deadline) {
      const stop = metrics.createLimitWaits.startTimer();
      try {
        await limiter.admit(owner, deadline);
        stop({ outcome: 'admitted' });
      } catch (error) {
        // Anything but a refusal for want of a place is the database failing under the wait.
        stop({ outcome: error instanceof CreateNotAdmitted ? 'not_admitted' : 'error' });
        throw error;
      }
    },
    async refused() {
      metrics.createLimitHolds.inc();
      await limiter.refused();
    },
  };
}
