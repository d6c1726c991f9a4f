import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, collect, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';

let t: TestGateway;

beforeAll(async () => {
  // kie.ai never finishes and sends no callback: only the poller's bound can end these tasks.
  t = await startTestGateway({
    callbacks: false,
    emulator: { timing: { waitingMs: 300, queuingMs: 60_000, generatingMs: 60_000 } },
    env: { TASK_TIMEOUT_MS: '1500' },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('the poller', () => {
  it('reports intermediate states and ends a task that outlives its bound as FAIL TIMEOUT', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/slow.mp4' },
    });
    const client = wsClient(t.wsUrl);
    const updates = await collect(client, TASK_UPDATED, {
      id: response.data?.createCharacter.task.id,
    });
    await client.dispose();
    const states = updates.map((update) => update.data?.taskUpdated.state);
    expect(states).toEqual(['WAITING', 'QUEUING', 'FAIL']);
    expect(updates.at(-1)?.data?.taskUpdated.error).toEqual({
      code: 'TIMEOUT',
      message: 'kie.ai did not finish the task within 1.5 s',
    });
    const recordInfoCalls = t.emulator.calls.filter((call) => call.route === 'recordInfo');
    // Backed off: far fewer reads than one per 100 ms tick over 1.5 s, and none after the end.
    expect(recordInfoCalls.length).toBeGreaterThan(2);
    expect(recordInfoCalls.length).toBeLessThan(15);
    const count = recordInfoCalls.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(t.emulator.calls.filter((call) => call.route === 'recordInfo')).toHaveLength(count);
  });
});
