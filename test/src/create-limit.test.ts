import { createAdmissions, createHolds, createWaiters, tasks } from '@charanim/db';
import { startEmulator } from '@charanim/provider/emulator';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, createFox } from './support/graphql.ts';

const ALICE = 'alice-key-0123456789';
const BOB = 'bob-key-0123456789ab';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB}`,
      KIE_CREATE_LIMIT: '3',
      // Long enough for a create to be admitted, far shorter than a 10 s window.
      CREATE_TIMEOUT_MS: '1500',
    },
  });
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  const db = t.gateway.database.db;
  await db.delete(createAdmissions);
  await db.delete(createWaiters);
  await db.delete(createHolds);
});

/** The common create, with what a RateLimitedError says of when to retry. */
const CREATE = CREATE_CHARACTER.replace(
  '... on Error { message }',
  '... on Error { message } ... on RateLimitedError { retryAfterSeconds }',
);

const createCalls = () => t.emulator.calls.filter((call) => call.route === 'createTask').length;

const create = (key: string) => createFox(t.graphqlUrl, key, CREATE);

const RATE_LIMITED = {
  __typename: 'RateLimitedError',
  message: expect.stringMatching(/at most 3 creates in any 10 s .*KIE_CREATE_LIMIT/),
};

describe('the account-wide create limit', () => {
  it('sends at most KIE_CREATE_LIMIT creates in 10 s; the rest answer RateLimitedError', async () => {
    const before = createCalls();
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => create(ALICE)));
    const kinds = answers.map((answer) => answer.__typename).sort();
    expect(kinds).toEqual([
      'CreateCharacterSuccess',
      'CreateCharacterSuccess',
      'CreateCharacterSuccess',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    for (const refused of answers.filter((answer) => answer.__typename === 'RateLimitedError')) {
      expect(refused).toMatchObject(RATE_LIMITED);
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(createCalls() - before).toBe(3);
    // The refused ones were never sent: their tasks ended FAIL, as RATE_LIMITED.
    const refusedRows = await t.gateway.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.errorCode, 'RATE_LIMITED'));
    expect(refusedRows).toHaveLength(2);
    for (const row of refusedRows)
      expect(row).toMatchObject({ state: 'FAIL', providerTaskId: null });
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toContain('gateway_create_limit_wait_seconds_count{outcome="admitted"} 3');
    expect(metrics).toContain('gateway_create_limit_wait_seconds_count{outcome="not_admitted"} 2');
  });

  it('gives the next place to the waiting owner that had fewer creates of late', async () => {
    const db = t.gateway.database.db;
    // alice had two creates in this window; bob waits in another instance, with none.
    await db.insert(createAdmissions).values([{ owner: 'alice' }, { owner: 'alice' }]);
    await db
      .insert(createWaiters)
      .values({ id: crypto.randomUUID(), owner: 'bob', expiresAt: new Date(Date.now() + 60_000) });
    expect(await create(ALICE)).toMatchObject(RATE_LIMITED);
    expect(await create(BOB)).toMatchObject({ __typename: 'CreateCharacterSuccess' });
  });

  it('sends no create for a whole window after kie.ai answered 429', async () => {
    const before = createCalls();
    t.emulator.failNext('createTask', { code: 429, msg: 'Too many requests' });
    // The 429 is retried only once the hold ends, after this create's time limit.
    const held = await create(ALICE);
    expect(held).toMatchObject(RATE_LIMITED);
    // The hold is a whole window: most of it is still to come.
    expect(held.retryAfterSeconds).toBeGreaterThanOrEqual(5);
    expect(await create(BOB)).toMatchObject(RATE_LIMITED);
    expect(createCalls() - before).toBe(1);
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toContain('gateway_create_limit_holds_total 1');
  });
});

describe("the emulator's create limit", () => {
  it('drops, with 429, a create past its limit in 10 s', async () => {
    const emulator = await startEmulator({ createLimit: 2 });
    try {
      const answers = [];
      for (const n of [1, 2, 3]) {
        const response = await fetch(`${emulator.url}/api/v1/jobs/createTask`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TEST_API_KEY}`,
            'content-type': 'application/json',
            'user-agent': 'create-limit-test',
          },
          body: JSON.stringify({
            model: 'sora-2-characters',
            input: { character_file_url: [`https://videos.example.com/${n}.mp4`] },
          }),
        });
        answers.push(((await response.json()) as { code: number }).code);
      }
      expect(answers[2]).toBe(429);
      expect(emulator.stats().creates).toEqual({ limit: 2, mostIn10s: 3, dropped: 1 });
      expect(emulator.stats().tasks.total).toBe(answers.filter((code) => code === 200).length);
    } finally {
      await emulator.close();
    }
  });
});
