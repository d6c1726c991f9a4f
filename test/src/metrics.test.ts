import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 30, queuingMs: 30, generatingMs: 30 } },
  });
});
afterAll(async () => {
  await t?.close();
});

/** One sample's value from the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** Every result of a subscription over SSE, until the server completes it. */
async function followOverSse(query: string, variables: Record<string, unknown>) {
  const client = createSseClient({ url: t.graphqlUrl, retryAttempts: 0 });
  const results: unknown[] = [];
  try {
    for await (const result of client.iterate({ query, variables })) results.push(result);
  } finally {
    client.dispose();
  }
  return results;
}

describe('GET /metrics', () => {
  it('counts operations, task transitions, kie.ai calls and callbacks', async () => {
    const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/m.mp4' },
    });
    const { id } = (created.data as any).createCharacter.task;
    await subscribeOnce(t.wsUrl, TASK_UPDATED, { id });
    await graphql(t.graphqlUrl, 'query Broken { task(id: "x") { nope } }');

    const response = await fetch(`${t.gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(
      sample(
        text,
        'gateway_graphql_operations_total',
        'type="mutation",field="createCharacter",outcome="ok"',
      ),
    ).toBe(1);
    expect(sample(text, 'gateway_task_transitions_total', 'state="PENDING"')).toBe(1);
    expect(sample(text, 'gateway_task_transitions_total', 'state="SUCCESS"')).toBe(1);
    expect(
      sample(
        text,
        'gateway_kie_call_duration_seconds_count',
        'operation="createTask",outcome="ok"',
      ),
    ).toBe(1);
    expect(text).toMatch(/gateway_callbacks_total\{outcome="(applied|stale)"\} 1/);
    expect(text).toContain('gateway_poller_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('counts subscriptions over graphql-ws and SSE, and those that fail', async () => {
    const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/subscribed.mp4' },
    });
    const { id } = (created.data as any).createCharacter.task;
    const overWs = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id });
    expect(overWs.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
    const overSse = (await followOverSse(TASK_UPDATED, { id })) as any[];
    expect(overSse.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
    const unknown = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id: 'no-such-task' });
    expect(unknown.at(-1)?.errors?.[0]?.message).toMatch(/No task has the id/);

    const text = await (await fetch(`${t.gateway.url}/metrics`)).text();
    const subscriptions = (outcome: string) =>
      sample(
        text,
        'gateway_graphql_operations_total',
        `type="subscription",field="taskUpdated",outcome="${outcome}"`,
      );
    // The first test's subscription, and this one's two.
    expect(subscriptions('ok')).toBe(3);
    expect(subscriptions('error')).toBe(1);
  });
});
