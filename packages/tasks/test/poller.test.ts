import { describe, expect, it } from 'vitest';
import { nextDelay } from '../src/poller.ts';

describe('nextDelay', () => {
  it('starts near the interval, grows by half while nothing changes, and stops at the cap', () => {
    for (let i = 0; i < 50; i++) {
      expect(nextDelay(0, 2_000, 30_000)).toBeGreaterThanOrEqual(1_600);
      expect(nextDelay(0, 2_000, 30_000)).toBeLessThanOrEqual(2_400);
      expect(nextDelay(2, 2_000, 30_000)).toBeGreaterThanOrEqual(3_600);
      expect(nextDelay(2, 2_000, 30_000)).toBeLessThanOrEqual(5_400);
      expect(nextDelay(40, 2_000, 30_000)).toBeLessThanOrEqual(36_000);
      expect(nextDelay(40, 2_000, 30_000)).toBeGreaterThanOrEqual(24_000);
    }
  });
});
