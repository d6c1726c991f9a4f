import { claimDueTasks, setCreditBudget } from '@charanim/db';
import { signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { successBody } from './support/callbacks.ts';
import { startTestGateway, TEST_HMAC_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

/**
 * The info log tells each task's story (issue 18, item 3): one line per event of its life, each
 * naming the task and its owner, and the refusals with their reasons.
 */

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const PROMPT = 'A secret plan only the client knows';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      GATEWAY_API_KEYS: `acme:${ACME},globex:${GLOBEX}`,
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '4',
    },
  });
});
afterAll(async () => {
  await t?.close();
});

type Line = Record<string, unknown> & { level: number; msg: string };

/** The lines at info and above, as an operator at LOG_LEVEL=info reads them. */
const infoLines = (): Line[] =>
  t.logs.map((line) => JSON.parse(line) as Line).filter((line) => line.level >= 30);

const rowIdOf = (globalId: string) =>
  Buffer.from(globalId, 'base64').toString().split(':')[1] as string;

async function create(key: string, input: Record<string, unknown>) {
  const answer = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input }, key);
  return answer.data?.createCharacter;
}

describe("a task's info lines", () => {
  it('read as its story: created, sent, its states, how it ended; never its input', async () => {
    const created = await create(ACME, {
      videoUrl: 'https://videos.example.com/story.mp4',
      prompt: PROMPT,
      idempotencyKey: 'order-4711',
    });
    const results = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id: created.task.id }, ACME);
    expect(results.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
    const taskId = rowIdOf(created.task.id);
    const storyOf = () => infoLines().filter((line) => line.taskId === taskId);
    await waitFor(() => storyOf().at(-1)?.msg === 'task succeeded');
    const story = storyOf();
    expect(story[0]).toMatchObject({
      msg: 'task created',
      owner: 'acme',
      model: 'sora-2-characters',
      idempotencyKey: 'order-4711',
    });
    expect(story[1]).toMatchObject({
      msg: 'task sent to kie.ai',
      providerTaskId: created.task.providerTaskId,
    });
    expect(story.at(-1)).toMatchObject({ msg: 'task succeeded', credits: 10 });
    for (const line of story.slice(2, -1)) {
      expect(line.msg).toMatch(/^task is (QUEUING|GENERATING) at kie\.ai$/);
    }
    for (const line of story) expect(line.owner).toBe('acme');
    expect(t.logs.join('\n')).not.toContain(PROMPT);
  });

  it('say why a task failed, with its code', async () => {
    t.emulator.setNextOutcome({ state: 'fail', failCode: '400', failMsg: 'a real person' });
    const created = await create(GLOBEX, { videoUrl: 'https://videos.example.com/fail.mp4' });
    await subscribeOnce(t.wsUrl, TASK_UPDATED, { id: created.task.id }, GLOBEX);
    const taskId = rowIdOf(created.task.id);
    // The story's line is written once the state is stored, so it may follow the event a little.
    const last = () =>
      infoLines()
        .filter((line) => line.taskId === taskId)
        .at(-1);
    await waitFor(() => /^task (failed|succeeded)/.test(last()?.msg ?? ''));
    expect(last()).toMatchObject({
      msg: 'task failed: 400',
      owner: 'globex',
      code: '400',
      credits: 0,
    });
  });
});

describe('the info log names each refusal and why', () => {
  it('a create over the credit budget, then over the rate limit', async () => {
    await setCreditBudget(t.gateway.database.db, 'globex', {
      creditsPerDay: 5,
      creditsPerMonth: null,
    });
    const refused = await create(GLOBEX, { videoUrl: 'https://videos.example.com/budget.mp4' });
    expect(refused.__typename).toBe('BudgetExceededError');
    const budget = infoLines().find((line) => line.msg.startsWith('create refused: it would'));
    expect(budget).toMatchObject({
      msg: 'create refused: it would pass the daily credit budget',
      owner: 'globex',
      taskId: expect.any(String),
      budget: 5,
      spent: 0,
      estimate: 10,
    });
    // globex made 2 creates so far of the 4 a minute it may make.
    for (const n of [1, 2, 3]) {
      await create(GLOBEX, { videoUrl: `https://videos.example.com/rate-${n}.mp4` });
    }
    expect(
      infoLines().find((line) => line.msg === 'create refused: over the rate limit'),
    ).toMatchObject({
      owner: 'globex',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('a callback, with what was wrong with it', async () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(t.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const now = String(Math.floor(Date.now() / 1000));
    const signed = (id: string) => ({
      'x-webhook-timestamp': now,
      'x-webhook-signature': signWebhook(id, now, TEST_HMAC_KEY),
    });
    await post(successBody('task_forged'), {
      ...signed('task_forged'),
      'x-webhook-signature': 'bad',
    });
    await post(successBody('task_nobody_knows'), signed('task_nobody_knows'));
    await post('not json', {});
    const refusals = infoLines().filter((line) => line.msg.startsWith('callback refused'));
    expect(refusals).toEqual([
      expect.objectContaining({
        msg: 'callback refused: bad signature',
        providerTaskId: 'task_forged',
        reason: 'bad_signature',
      }),
      expect.objectContaining({
        msg: 'callback refused: it names no task of this gateway',
        providerTaskId: 'task_nobody_knows',
        reason: 'unknown_task',
      }),
      expect.objectContaining({
        msg: 'callback refused: its body is not JSON the gateway can store',
      }),
    ]);
  });
});

describe('a poll whose lease ran out', () => {
  it('is taken over, and the log names the instance that held it', async () => {
    const stalled = await startTestGateway({
      startPoller: false,
      callbacks: false,
      env: { GATEWAY_API_KEYS: `acme:${ACME}` },
    });
    try {
      const answer = await graphql(
        stalled.graphqlUrl,
        CREATE_CHARACTER,
        { input: { videoUrl: 'https://videos.example.com/lease.mp4' } },
        ACME,
      );
      const taskId = rowIdOf(answer.data?.createCharacter.task.id);
      // An instance that claimed the task for 1 ms and died before its poll ended.
      const db = stalled.gateway.database.db;
      await waitFor(async () => (await claimDueTasks(db, 'dead-instance', 10, 1)).length > 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await stalled.gateway.poller.tick();
      const line = stalled.logs
        .map((text) => JSON.parse(text) as Line)
        .find((each) => each.msg === 'took over the poll of a task whose lease ran out');
      expect(line).toMatchObject({ level: 30, taskId, owner: 'acme', from: 'dead-instance' });
    } finally {
      await stalled.close();
    }
  });
});
