import { expect, it } from 'vitest';
import { describeReport, runChaos, violations } from './chaos.ts';

// The short chaos run; `npm run test:chaos` is the full one.
it('loses nothing and does nothing twice through kills, lost and forged callbacks, provider faults and a flaky app', async () => {
  const report = await runChaos({
    creates: 60,
    concurrency: 8,
    kills: 3,
    repeatShare: 0.2,
    thinkMs: 300,
    forgedShare: 0.1,
    seed: Date.now() % 1_000_000,
    taskTimeoutMs: 20_000,
    log: () => {},
  });
  console.log(describeReport(report).join('\n'));
  expect(report.kills).toBe(3);
  expect(report.providerTasks).toBeGreaterThan(0);
  expect(report.outbound.receiverRestarts).toBe(2);
  // Some answers were dropped, and the deliveries came again.
  expect(report.outbound.received).toBeGreaterThan(report.outbound.accepted);
  expect(violations(report)).toBe(0);
}, 180_000);
