import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface LogLine {
  msg: string;
  reqId?: string;
  operation?: string;
}

const logLines = () => t.logs.map((line) => JSON.parse(line) as LogLine);

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('request ids', () => {
  it('answers the incoming x-request-id and puts it on every log line the request writes', async () => {
    const reqId = `client-${randomUUID()}`;
    const response = await post(
      {
        query: CREATE_CHARACTER,
        variables: { input: { videoUrl: 'https://v.example.com/a.mp4' } },
      },
      { 'x-request-id': reqId },
    );
    expect(response.headers.get('x-request-id')).toBe(reqId);
    expect((await response.json()).data.createCharacter.__typename).toBe('CreateCharacterSuccess');
    // kie.ai calls back when the task ends, which the poller may have seen first.
    await waitFor(() => logLines().some((line) => line.msg === 'callback'));

    // The kie.ai client logs its call deep below the resolver, with no logger handed down.
    const created = logLines().filter((line) => line.operation === 'createTask');
    expect(created).toHaveLength(1);
    expect(created[0]?.reqId).toBe(reqId);
    // Each line holds its own fields only, not those of the lines before it.
    expect(created[0]).not.toHaveProperty('args');
    // kie.ai's callbacks are requests of their own, each with its own id.
    for (const line of logLines().filter(({ msg }) => msg === 'callback')) {
      expect(line.reqId).toMatch(UUID);
    }
    // What is logged outside any request carries no id.
    expect(logLines().find((line) => line.msg.startsWith('gateway ready'))).not.toHaveProperty(
      'reqId',
    );
  });

  it('tags the warning of a kie.ai call that failed while handling the request', async () => {
    t.emulator.failNext('credit', { code: 401, msg: 'You do not have access permissions' });
    const reqId = `credits-${randomUUID()}`;
    const response = await post({ query: '{ credits }' }, { 'x-request-id': reqId });
    expect(response.headers.get('x-request-id')).toBe(reqId);
    expect((await response.json()).errors).toHaveLength(1);
    const failed = logLines().filter((line) => line.operation === 'credit');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ reqId, msg: expect.stringMatching(/^kie.ai credit failed/) });
  });

  it.each([
    ['none', undefined],
    ['one with spaces', 'not an id'],
    ['one too long', 'x'.repeat(129)],
  ])('gives a request with %s a new UUID', async (_case, incoming) => {
    const headers = incoming === undefined ? undefined : { 'x-request-id': incoming };
    const first = await fetch(`${t.gateway.url}/health`, headers && { headers });
    const second = await fetch(`${t.gateway.url}/health`, headers && { headers });
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });
});
