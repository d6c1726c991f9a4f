import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';

/**
 * What the poller logs when a poll fails: kie.ai's expected refusals in one line each, since a
 * task kie.ai does not know (the standalone emulator restarted, say) fails every poll until its
 * bound; anything else with its stack, as a fault to look into.
 */

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

type LogLine = Record<string, unknown> & { msg: string };

/** Creates a task, steers kie.ai with `steer`, and polls until a poll of it has failed. */
async function failedPoll(gateway: TestGateway, steer: () => void): Promise<LogLine> {
  const created = await graphql(gateway.graphqlUrl, CREATE_CHARACTER, {
    input: { videoUrl: 'https://videos.example.com/poll-logs.mp4' },
  });
  expect(created.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
  steer();
  const failures = () =>
    gateway.logs
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) => line.msg.startsWith('poll failed'));
  while (failures().length === 0) await gateway.gateway.poller.tick();
  return failures()[0] as LogLine;
}

describe('a failed poll', () => {
  it('of a task kie.ai answers 404 for is one line: code, message, task and attempt, no stack', async () => {
    t = await startTestGateway({ callbacks: false, startPoller: false });
    const gateway = t;
    const line = await failedPoll(gateway, () =>
      gateway.emulator.failNext('recordInfo', { code: 404, msg: 'task not found' }, 10),
    );
    expect(line).toMatchObject({
      level: 40,
      msg: 'poll failed: NOT_FOUND: kie.ai recordInfo answered 404: task not found',
      code: 'NOT_FOUND',
      providerCode: 404,
      attempt: 1,
    });
    expect(line.taskId).toEqual(expect.any(String));
    expect(line.providerTaskId).toMatch(/^task_/);
    expect(line).not.toHaveProperty('err');
    expect(JSON.stringify(line)).not.toContain('stack');
  });

  it('for an unexpected reason keeps its stack', async () => {
    // Each attempt times out at 1 s and is retried; the poll's own limit, half the lease, ends the
    // retries with an AbortSignal timeout, which is no answer of kie.ai's.
    t = await startTestGateway({
      callbacks: false,
      startPoller: false,
      env: { KIE_TIMEOUT_MS: '1000', POLL_LEASE_MS: '2400' },
    });
    const gateway = t;
    const line = await failedPoll(gateway, () =>
      gateway.emulator.delayNext('recordInfo', 25_000, 10),
    );
    expect(line.msg).toBe('poll failed');
    expect(line.err).toMatchObject({
      message: 'The operation was aborted due to timeout',
      stack: expect.stringContaining('TimeoutError'),
    });
  });
});
