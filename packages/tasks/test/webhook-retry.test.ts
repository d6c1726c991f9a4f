import { describe, expect, it } from 'vitest';
import { retryDelay } from '../src/webhooks/sender.ts';

describe('the delay before a webhook is retried', () => {
  it('doubles from the base up to the cap, spread over its upper half', () => {
    const lowest = (attempt: number) => retryDelay(attempt, 5_000, 3_600_000, () => 0);
    const highest = (attempt: number) => retryDelay(attempt, 5_000, 3_600_000, () => 0.999_999);
    expect([1, 2, 3, 4].map(highest)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map(lowest)).toEqual([2_500, 5_000, 10_000, 20_000]);
    expect(retryDelay(20, 5_000, 3_600_000, () => 0.5)).toBe(2_700_000);
    expect(lowest(500)).toBe(1_800_000);
  });

  it('keeps retrying for 3 days within some 80 attempts', () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < 3 * 24 * 3_600_000) {
      attempts += 1;
      elapsed += retryDelay(attempts, 5_000, 3_600_000, () => 0.5);
    }
    expect(attempts).toBeGreaterThan(50);
    expect(attempts).toBeLessThan(120);
  });
});
