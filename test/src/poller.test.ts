import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClaimedTask, claimDueTasks, schedulePoll, type TaskState, tasks } from '@charanim/db';
import type { EmulatorTiming } from '@charanim/provider/emulator';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, collect, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

beforeAll(async () => {
  // kie.ai never finishes and sends no callback: only the poller's bound can end these tasks.
  t = await startTestGateway({
    callbacks: false,
    // WAITING long enough that a subscriber on a loaded machine still finds the task in it, and
    // short of the 1.5 s bound, so that QUEUING is seen before the end.
    emulator: { timing: { waitingMs: 700, queuingMs: 60_000, generatingMs: 60_000 } },
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
    await sleep(600);
    expect(t.emulator.calls.filter((call) => call.route === 'recordInfo')).toHaveLength(count);
  });

  it('counts the bound from the send, not the creation: a repeat may send an old task', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/sent-late.mp4' },
    });
    const { id, providerTaskId } = response.data?.createCharacter.task ?? {};
    const [own] = await t.gateway.database.db
      .update(tasks)
      .set({ createdAt: sql`now() - interval '1 hour'` })
      .where(eq(tasks.providerTaskId, providerTaskId))
      .returning();
    const polls = () =>
      t.emulator.calls.filter(
        (call) => call.taskId === providerTaskId && call.route === 'recordInfo',
      );
    await waitFor(() => polls().length >= 2);
    const state = async () =>
      (await graphql(t.graphqlUrl, 'query($id: ID!) { task(id: $id) { state } }', { id })).data
        ?.task.state;
    expect(await state()).not.toBe('FAIL');
    await waitFor(async () => (await state()) === 'FAIL');
    const [ended] = await t.gateway.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.id, own?.id ?? ''));
    expect(ended?.errorCode).toBe('TIMEOUT');
    expect(ended?.completedAt?.getTime()).toBeGreaterThanOrEqual(
      (ended?.submittedAt?.getTime() ?? 0) + 1_500,
    );
  });
});

const database = useTestDatabase();

/** A task kie.ai has, due to be polled `dueMsAgo` ago. */
async function dueTask(dueMsAgo = 1_000, state: TaskState = 'WAITING') {
  const [row] = await database()
    .db.insert(tasks)
    .values({
      owner: 'local',
      model: 'sora-2-characters',
      input: {},
      state,
      providerTaskId: `task_${randomUUID()}`,
      nextPollAt: new Date(Date.now() - dueMsAgo),
    })
    .returning();
  if (!row) throw new Error('no task inserted');
  return row;
}

/** As if the lease had run out: due again now. */
async function endLease(id: string) {
  await database().db.update(tasks).set({ nextPollAt: sql`now()` }).where(eq(tasks.id, id));
}

const ids = (claimed: ClaimedTask[]) => claimed.map(({ task }) => task.id);

describe('poll leases', () => {
  it('split the due tasks between instances claiming at once, oldest due first', async () => {
    const due = await Promise.all(Array.from({ length: 12 }, (_, i) => dueTask(1_000 + i)));
    const instances = ['a', 'b', 'c'];
    const claims = await Promise.all(
      instances.map((instance) => claimDueTasks(database().db, instance, 5, 60_000)),
    );
    const claimed = claims.flatMap(ids);
    expect(claimed.toSorted()).toEqual(due.map((task) => task.id).toSorted());
    claims.forEach((claim, i) => {
      expect(claim.every(({ task }) => task.leasedBy === instances[i])).toBe(true);
      const dueAt = claim.map(({ dueAt }) => dueAt.getTime());
      expect(dueAt).toEqual(dueAt.toSorted((a, b) => a - b));
    });
    // Leased: no instance gets them again while the lease holds.
    expect(await claimDueTasks(database().db, 'test', 50, 60_000)).toEqual([]);
  });

  it('pass a task to another instance once its lease ends, and keep its holder’s schedule', async () => {
    const task = await dueTask();
    const [first] = await claimDueTasks(database().db, 'a', 50, 60_000);
    expect(first?.task.id).toBe(task.id);
    await endLease(task.id);
    const [second] = await claimDueTasks(database().db, 'b', 50, 60_000);
    expect(second?.task).toMatchObject({ id: task.id, leasedBy: 'b' });
    if (!first || !second) throw new Error('not claimed');
    // The first holder's late answer leaves the new lease alone; the holder's own ends it.
    expect(await schedulePoll(database().db, first.task, 10, 1)).toBe(false);
    const [held] = await database().db.select().from(tasks).where(eq(tasks.id, task.id));
    expect(held).toMatchObject({ nextPollAt: second.task.nextPollAt, leasedBy: 'b' });
    expect(await schedulePoll(database().db, second.task, 0, 1)).toBe(true);
    expect(ids(await claimDueTasks(database().db, 'test', 50, 60_000))).toEqual([task.id]);
  });

  it('are never taken on finished tasks, nor on tasks kie.ai does not have', async () => {
    await dueTask(1_000, 'SUCCESS');
    const unsent = await dueTask(1_000, 'PENDING');
    await database().db.update(tasks).set({ providerTaskId: null }).where(eq(tasks.id, unsent.id));
    expect(await claimDueTasks(database().db, 'test', 50, 60_000)).toEqual([]);
  });
});

/**
 * A task that only polls can finish (no callbacks), on a gateway whose poller runs only when the
 * test ticks it: as after an instance died holding the task's lease, nothing polls it meanwhile.
 */
async function withUnpolledTask(
  options: { timing: EmulatorTiming; env: Record<string, string> },
  test: (late: TestGateway, task: { id: string; providerTaskId: string }) => Promise<void>,
): Promise<void> {
  const late = await startTestGateway({
    callbacks: false,
    startPoller: false,
    emulator: { timing: options.timing },
    env: options.env,
  });
  try {
    const response = await graphql(late.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/late.mp4' },
    });
    await test(late, response.data?.createCharacter.task ?? {});
  } finally {
    await late.close();
  }
}

async function taskOf(late: TestGateway, id: string) {
  const read = await graphql(
    late.graphqlUrl,
    'query($id: ID!) { task(id: $id) { state error { code message } } }',
    { id },
  );
  return read.data?.task;
}

const quick = { waitingMs: 50, queuingMs: 50, generatingMs: 50 };

describe('a poll', () => {
  it('that comes after the bound still takes kie.ai’s answer when kie.ai has one', () =>
    withUnpolledTask(
      { timing: quick, env: { TASK_TIMEOUT_MS: '1000' } },
      async (late, { id, providerTaskId }) => {
        await waitFor(() => late.emulator.task(providerTaskId)?.record.state === 'success');
        await sleep(1_000);
        await late.gateway.poller.tick();
        expect((await taskOf(late, id))?.state).toBe('SUCCESS');
      },
    ));

  it('that comes after the bound and cannot read kie.ai keeps the task, and the next read finishes it', () =>
    withUnpolledTask(
      {
        timing: quick,
        env: { TASK_TIMEOUT_MS: '2000', POLL_LEASE_MS: '2000', KIE_TIMEOUT_MS: '900' },
      },
      async (late, { id, providerTaskId }) => {
        await waitFor(() => late.emulator.task(providerTaskId)?.record.state === 'success');
        await sleep(2_000);
        // Held past the attempt's 0.9 s: the client's retry, 0.5 s or more later, comes after the
        // poll's own 1 s limit (half the lease), so the poll fails.
        late.emulator.delayNext('recordInfo', 5_000);
        await late.gateway.poller.tick();
        expect(late.logs.some((line) => line.includes('poll failed'))).toBe(true);
        expect((await taskOf(late, id))?.state).toBe('WAITING');
        // A refused key says nothing of the task either.
        late.emulator.failNext('recordInfo', {
          code: 401,
          msg: 'You do not have access permissions',
        });
        const reads = late.emulator.calls.length;
        await waitFor(async () => {
          await late.gateway.poller.tick();
          return late.emulator.calls.length > reads;
        });
        expect((await taskOf(late, id))?.state).toBe('WAITING');
        await waitFor(async () => {
          await late.gateway.poller.tick();
          return (await taskOf(late, id))?.state === 'SUCCESS';
        });
      },
    ));

  it('that cannot read kie.ai past twice the bound ends the task TIMEOUT, saying so', () =>
    withUnpolledTask(
      {
        timing: { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 },
        env: { TASK_TIMEOUT_MS: '1000', POLL_LEASE_MS: '2000', KIE_TIMEOUT_MS: '900' },
      },
      async (late, { id }) => {
        await sleep(2_000);
        late.emulator.delayNext('recordInfo', 5_000);
        await late.gateway.poller.tick();
        expect(await taskOf(late, id)).toEqual({
          state: 'FAIL',
          error: {
            code: 'TIMEOUT',
            message:
              'kie.ai did not report the task finished within 1 s, nor answer in the 1 s after',
          },
        });
      },
    ));

  it('gives up on kie.ai at half its lease, so that it ends while the lease holds', async () => {
    const slow = await startTestGateway({
      callbacks: false,
      startPoller: false,
      // Each attempt ends within KIE_TIMEOUT_MS, but its retries would outlast half the lease.
      env: { POLL_LEASE_MS: '2000', KIE_TIMEOUT_MS: '900' },
    });
    try {
      const response = await graphql(slow.graphqlUrl, CREATE_CHARACTER, {
        input: { videoUrl: 'https://videos.example.com/slow.mp4' },
      });
      expect(response.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
      slow.emulator.delayNext('recordInfo', 25_000, 5);
      const polled = () => slow.emulator.calls.some((call) => call.route === 'recordInfo');
      while (!polled()) await slow.gateway.poller.tick();
      const failure = slow.logs.find((line) => line.includes('"poll failed"'));
      expect(failure).toContain('The operation was aborted due to timeout');
    } finally {
      await slow.close();
    }
  });
});
