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
        'type="mutation",name="Create",outcome="ok"',
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
});
