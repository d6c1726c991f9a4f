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
  // WAITING long enough that a subscriber on a loaded machine still finds the task in it.
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `sse:${SSE_KEY}` },
    emulator: { timing: { waitingMs: 1_000, queuingMs: 150, generatingMs: 150 } },
  });
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

describe('a gateway stopping', () => {
  it('completes its SSE subscriptions at once, well before its deadline', async () => {
    // A task that stays WAITING: only the shutdown can end its subscription.
    const own = await startTestGateway({
      env: { GATEWAY_API_KEYS: `sse:${SSE_KEY}` },
      emulator: { timing: { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 } },
    });
    try {
      const created = await graphql(
        own.graphqlUrl,
        CREATE_CHARACTER,
        { input: { videoUrl: 'https://videos.example.com/sse-shutdown.mp4' } },
        SSE_KEY,
      );
      const id = created.data?.createCharacter.task.id;
      const response = await fetch(own.graphqlUrl, {
        method: 'POST',
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          authorization: `Bearer ${SSE_KEY}`,
        },
        body: JSON.stringify({ query: TASK_UPDATED, variables: { id } }),
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let stream = '';
      while (!stream.includes('event: next')) {
        stream += decoder.decode((await reader.read()).value, { stream: true });
      }

      const started = performance.now();
      const stopped = own.gateway.stop(10_000);
      // Read to the end: a stream cut off instead of ended rejects here ("terminated").
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        stream += decoder.decode(part.value, { stream: true });
      }
      const ended = performance.now() - started;
      await stopped;
      const stoppedAfter = performance.now() - started;

      expect(stream).toContain('"state":"WAITING"');
      expect(stream.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
      // Bounds for a loaded machine: the deadline is 10 s, and a connection left open after its
      // stream ended would hold the stop for the 5 s of its keep-alive timeout.
      expect(ended).toBeLessThan(3_000);
      expect(stoppedAfter).toBeLessThan(4_500);
    } finally {
      await own.close();
    }
  });
});
