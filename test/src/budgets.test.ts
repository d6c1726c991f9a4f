import { creditCharges, setCreditBudget, tasks } from '@charanim/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

/**
 * Credit budgets per owner (issue 18, item 1): a create reserves its model's estimate before any
 * call to kie.ai and is refused past the owner's budget; the charge is settled from what kie.ai
 * reports when the task ends. Each test has an owner of its own, so that their budgets and
 * spending do not mix.
 */

const OWNERS = ['acme', 'globex', 'initech', 'hooli', 'umbrella', 'stark', 'ops'] as const;
type Owner = (typeof OWNERS)[number];
const keyOf = (owner: Owner) => `${owner}-key-0123456789abcdef`;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      GATEWAY_API_KEYS: OWNERS.map((owner) => `${owner}:${keyOf(owner)}`).join(','),
      ADMIN_OWNERS: 'ops',
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const as = (owner: Owner, query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, keyOf(owner));

const USAGE = /* GraphQL */ `
  { usage { owner spentToday spentThisMonth reserved budgetPerDay budgetPerMonth remainingToday remainingThisMonth } }
`;

const CREATE_VIDEO = /* GraphQL */ `
  mutation CreateVideo($input: CreateVideoInput!) {
    createVideo(input: $input) {
      __typename
      ... on CreateVideoSuccess { task { id state } }
      ... on Error { message }
      ... on BudgetExceededError { period budget spent estimate retryAfterSeconds }
    }
  }
`;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateCharacterInput!) {
    createCharacter(input: $input) {
      __typename
      ... on CreateCharacterSuccess { task { id state } }
      ... on Error { message }
      ... on ProviderError { code recordedTask { id state } }
      ... on BudgetExceededError { period budget spent estimate retryAfterSeconds }
    }
  }
`;

const SET_BUDGET = /* GraphQL */ `
  mutation Set($input: SetCreditBudgetInput!) {
    setCreditBudget(input: $input) {
      __typename
      ... on Error { message }
      ... on ValidationError { field }
      ... on Usage { owner budgetPerDay budgetPerMonth spentToday }
    }
  }
`;

async function usageOf(owner: Owner) {
  const answer = await as(owner, USAGE);
  expect(answer.errors).toBeUndefined();
  return answer.data?.usage;
}

/** A Sora 2 character (the plugin's estimate: 10 credits, what the emulator bills) for owner. */
async function soraCharacter(owner: Owner, extra: Record<string, unknown> = {}) {
  const answer = await as(owner, CREATE, {
    input: { videoUrl: `https://videos.example.com/${owner}-${Math.random()}.mp4`, ...extra },
  });
  return answer.data?.createCharacter;
}

/** Follows a task until it ends; its final state. */
async function ended(owner: Owner, id: string): Promise<string> {
  const results = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id }, keyOf(owner));
  return results.at(-1)?.data?.taskUpdated?.state;
}

const createTaskCalls = () => t.emulator.calls.filter((call) => call.route === 'createTask').length;

describe('a create', () => {
  it("reserves its model's estimate before kie.ai is called, and settles it from what kie.ai billed", async () => {
    const created = await as('acme', CREATE_VIDEO, {
      input: { model: 'google/gemini-omni-flash-1-1', prompt: 'A fox waves', durationSeconds: 6 },
    });
    const task = created.data?.createVideo.task;
    expect(task).toBeDefined();
    const [charge] = await t.gateway.database.db
      .select()
      .from(creditCharges)
      .where(eq(creditCharges.taskId, rowIdOf(task.id)));
    expect(charge).toMatchObject({ owner: 'acme', estimate: 84 });

    expect(await ended('acme', task.id)).toBe('SUCCESS');
    // The emulator bills 10 credits a task, as its callback's consumeCredits says.
    expect(await usageOf('acme')).toMatchObject({
      owner: 'acme',
      spentToday: 10,
      spentThisMonth: 10,
      reserved: 0,
      budgetPerDay: null,
      remainingToday: null,
    });
  });

  it('that would pass the daily budget is refused with a BudgetExceededError, and nothing is sent', async () => {
    await setCreditBudget(t.gateway.database.db, 'globex', {
      creditsPerDay: 25,
      creditsPerMonth: null,
    });
    expect((await soraCharacter('globex')).__typename).toBe('CreateCharacterSuccess');
    expect((await soraCharacter('globex')).__typename).toBe('CreateCharacterSuccess');
    const calls = createTaskCalls();
    const refused = await soraCharacter('globex', { idempotencyKey: 'third' });
    expect(refused).toMatchObject({
      __typename: 'BudgetExceededError',
      period: 'DAY',
      budget: 25,
      spent: 20,
      estimate: 10,
      message:
        "this request's 10 credits would pass the daily budget of 25 credits (20 spent); nothing was sent to kie.ai",
    });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    expect(createTaskCalls()).toBe(calls);
    // The task it recorded ended FAIL and freed its key; it holds no charge.
    const [recorded] = await t.gateway.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.state, 'FAIL'))
      .then((rows) => rows.filter((row) => row.owner === 'globex'));
    expect(recorded).toMatchObject({ errorCode: 'BUDGET_EXCEEDED', idempotencyKey: null });
    expect(await usageOf('globex')).toMatchObject({
      spentToday: 20,
      budgetPerDay: 25,
      remainingToday: 5,
    });
    // A free model still runs: it reserves 0 credits.
    const free = await as('globex', CREATE, {
      input: {
        model: 'gemini-omni-character',
        description: 'A fox',
        portraitUrl: 'https://images.example.com/fox.jpg',
      },
    });
    expect(free.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
  });

  it('that would pass the monthly budget is refused, with the time to the end of the month', async () => {
    await setCreditBudget(t.gateway.database.db, 'initech', {
      creditsPerDay: null,
      creditsPerMonth: 15,
    });
    expect((await soraCharacter('initech')).__typename).toBe('CreateCharacterSuccess');
    const refused = await soraCharacter('initech');
    expect(refused).toMatchObject({
      __typename: 'BudgetExceededError',
      period: 'MONTH',
      budget: 15,
      spent: 10,
      estimate: 10,
    });
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(31 * 86_400);
  });

  it('is charged once however often it is repeated with its idempotency key', async () => {
    const repeats = await Promise.all(
      Array.from({ length: 4 }, () =>
        soraCharacter('stark', {
          idempotencyKey: 'once',
          videoUrl: 'https://videos.example.com/once.mp4',
        }),
      ),
    );
    expect(new Set(repeats.map((answer) => answer.task.id)).size).toBe(1);
    expect((await usageOf('stark')).spentToday).toBe(10);
  });
});

describe('an ended task', () => {
  it('that kie.ai failed costs nothing: its reservation is released', async () => {
    t.emulator.setNextOutcome({ state: 'fail', failCode: '500', failMsg: 'Internal Error' });
    const created = await soraCharacter('hooli');
    expect(await ended('hooli', created.task.id)).toBe('FAIL');
    expect(await usageOf('hooli')).toMatchObject({ spentToday: 0, reserved: 0 });
  });

  it('that kie.ai surely refused costs nothing either', async () => {
    t.emulator.failNext('createTask', { code: 500, msg: 'This interface is temporarily paused' });
    const refused = await soraCharacter('umbrella');
    expect(refused).toMatchObject({ __typename: 'ProviderError', code: 'MODEL_PAUSED' });
    expect(await usageOf('umbrella')).toMatchObject({ spentToday: 0, reserved: 0 });
  });
});

describe('who sees what', () => {
  it("shows each owner its own usage, and the account's credits to admin owners only", async () => {
    const credits = await as('acme', '{ credits }');
    expect(credits.errors?.[0]).toMatchObject({
      message:
        "the kie.ai account's credits are shown to admin owners (ADMIN_OWNERS) only; your own spending is the usage query",
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await as('ops', '{ credits }')).data?.credits).toEqual(expect.any(Number));
    expect((await usageOf('ops')).owner).toBe('ops');

    const other = await as(
      'acme',
      '{ creditUsage(owner: "globex") { __typename ... on Error { message } } }',
    );
    expect(other.data?.creditUsage).toMatchObject({ __typename: 'ForbiddenError' });
    const asAdmin = await as(
      'ops',
      '{ creditUsage(owner: "globex") { ... on Usage { owner budgetPerDay } } }',
    );
    expect(asAdmin.data?.creditUsage).toEqual({ owner: 'globex', budgetPerDay: 25 });
  });

  it('lets admin owners alone set budgets, and checks them', async () => {
    const input = { owner: 'acme', creditsPerDay: 500 };
    expect((await as('acme', SET_BUDGET, { input })).data?.setCreditBudget).toMatchObject({
      __typename: 'ForbiddenError',
    });
    expect((await as('ops', SET_BUDGET, { input })).data?.setCreditBudget).toEqual({
      __typename: 'Usage',
      owner: 'acme',
      budgetPerDay: 500,
      budgetPerMonth: null,
      spentToday: 10,
    });
    const negative = await as('ops', SET_BUDGET, { input: { owner: 'acme', creditsPerMonth: -1 } });
    expect(negative.data?.setCreditBudget).toMatchObject({
      __typename: 'ValidationError',
      field: 'creditsPerMonth',
    });
    const badOwner = await as('ops', SET_BUDGET, { input: { owner: 'no spaces' } });
    expect(badOwner.data?.setCreditBudget).toMatchObject({ field: 'owner' });
    // Both limits null removes the budget.
    await as('ops', SET_BUDGET, { input: { owner: 'acme' } });
    expect((await usageOf('acme')).budgetPerDay).toBeNull();
  });
});

/** Our row id inside a Relay global id. */
function rowIdOf(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString().split(':')[1] as string;
}
