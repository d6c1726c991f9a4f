import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import {
  CREATE_CHARACTER,
  type GraphQLResponse,
  graphql,
  TASK_UPDATED,
} from './support/graphql.ts';

/**
 * taskUpdated over Server-Sent Events, with the graphql-sse client against graphql-yoga's own SSE
 * transport: the "distinct connections" mode of the GraphQL over SSE protocol, one HTTP response
 * streaming each operation on the GraphQL URL itself, no extra route or plugin.
 */

const SSE_KEY = 'sse-test-key-5c2e8a1f7d3b9046';
const ORDER = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'];

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ env: { GATEWAY_API_KEYS: `sse:${SSE_KEY}` } });
});
afterAll(async () => {
  await t?.close();
});

async function createTask(videoUrl: string): Promise<string> {
  const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input: { videoUrl } }, SSE_KEY);
  return created.data?.createCharacter.task.id;
}

/** Every result of the subscription over SSE, until the server completes it. */
async function followOverSse(id: string, key: string): Promise<GraphQLResponse[]> {
  const client = createClient({
    url: t.graphqlUrl,
    headers: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const results: GraphQLResponse[] = [];
  try {
    for await (const result of client.iterate({ query: TASK_UPDATED, variables: { id } })) {
      results.push(result as GraphQLResponse);
    }
  } finally {
    client.dispose();
  }
  return results;
}

describe('taskUpdated over SSE', () => {
  it('streams the task, then each change in order, and completes after SUCCESS', async () => {
    const id = await createTask('https://videos.example.com/sse-fox.mp4');
    const results = await followOverSse(id, SSE_KEY);
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const states = results.map((result) => result.data?.taskUpdated.state as string);
    expect(states[0]).toBe('WAITING');
    expect(states.at(-1)).toBe('SUCCESS');
    // Every state at most once, and only forward.
    const steps = states.map((state) => ORDER.indexOf(state));
    expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
    expect(results.at(-1)?.data?.taskUpdated.character.characterId).toMatch(/^char_/);
  });

  it('streams FAIL with the provider message', async () => {
    t.emulator.setNextOutcome({ state: 'fail', failCode: '500', failMsg: 'Generation failed' });
    const id = await createTask('https://videos.example.com/sse-broken.mp4');
    const last = (await followOverSse(id, SSE_KEY)).at(-1)?.data?.taskUpdated;
    expect(last.state).toBe('FAIL');
    expect(last.error).toEqual({ code: '500', message: 'Generation failed' });
  });

  it('refuses a stream without a valid key, as any other request', async () => {
    const id = await createTask('https://videos.example.com/sse-owl.mp4');
    await expect(followOverSse(id, 'not-the-key-0000000')).rejects.toThrow(/401/);
  });
});
