import { once } from 'node:events';
import { type DatabaseHandle, openDatabase, tasks } from '@charanim/db';
import type { EmulatorCall } from '@charanim/provider/emulator';
import {
  createDatabase,
  freePort,
  PROCESS_API_KEY,
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
} from '@charanim/test-support';
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorCalls, emulatorTasks } from './support/emulator-process.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

/** Three gateway processes on one database, kie.ai's emulator in a fourth. */

const HMAC_KEY = 'multi-instance-hmac-key';
/** What each of `subscribers` must see: every state from the first, in order, once. */
const fullSequences = (subscribers: number) =>
  Array.from({ length: subscribers }, () => ['WAITING', 'QUEUING', 'GENERATING', 'SUCCESS']);
/** Each kie.ai state lasts well beyond a lease, so that polls see each one even after a takeover. */
const STATE_MS = '2500';
const LEASE_MS = '1000';

let database: Awaited<ReturnType<typeof createDatabase>>;
let db: DatabaseHandle;
let emulator: Spawned;
const gateways: Record<'a' | 'b' | 'c', Spawned | undefined> = {
  a: undefined,
  b: undefined,
  c: undefined,
};

beforeAll(async () => {
  database = await createDatabase();
  emulator = await startEmulatorProcess({
    KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
    EMULATOR_WAITING_MS: STATE_MS,
    EMULATOR_QUEUING_MS: STATE_MS,
    EMULATOR_GENERATING_MS: STATE_MS,
    // Every call held a while, so that two polls of one task at once would overlap visibly.
    EMULATOR_FAULTS: JSON.stringify({ slowRate: 1, slowMs: 100 }),
  });
  const portOfC = await freePort();
  const start = (name: 'a' | 'b' | 'c', port?: number) =>
    startGatewayProcess(
      {
        DATABASE_URL: database.url,
        KIE_API_BASE_URL: emulator.url,
        KIE_UPLOAD_BASE_URL: emulator.url,
        KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
        // Every instance names C in its callback URLs: callbacks land on C, whoever created the task.
        PUBLIC_URL: `http://127.0.0.1:${portOfC}`,
        POLL_INTERVAL_MS: '200',
        POLL_MAX_INTERVAL_MS: '400',
        POLL_LEASE_MS: LEASE_MS,
        // At most half the lease, as the configuration requires.
        KIE_TIMEOUT_MS: '500',
        INSTANCE_NAME: name,
      },
      port,
    );
  // All at once, on an empty database: they take turns migrating it.
  [gateways.a, gateways.b, gateways.c] = await Promise.all([
    start('a'),
    start('b'),
    start('c', portOfC),
  ]);
  db = await openDatabase({ url: database.url });
});
afterAll(async () => {
  await db?.close();
  await Promise.all(Object.values(gateways).map((gateway) => gateway?.stop()));
  await emulator?.stop();
  await database?.drop();
});

function gateway(name: 'a' | 'b' | 'c'): Spawned {
  const spawned = gateways[name];
  if (!spawned) throw new Error(`gateway ${name} is not running`);
  return spawned;
}

const wsUrl = (spawned: Spawned) => `${spawned.url.replace(/^http/, 'ws')}/graphql`;

async function createOn(spawned: Spawned, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await graphql(`${spawned.url}/graphql`, CREATE_CHARACTER, {
        input: { videoUrl: `https://videos.example.com/multi-${i}.mp4`, prompt: `Clone ${i}` },
      });
      const task = response.data?.createCharacter?.task;
      if (!task) throw new Error(`createCharacter failed: ${JSON.stringify(response)}`);
      return task.id as string;
    }),
  );
}

/** The states each subscriber saw, per task, from subscriptions on the given instances. */
function follow(ids: string[], on: Spawned[]): Promise<string[][]> {
  return Promise.all(
    ids.flatMap((id) =>
      on.map(async (spawned) => {
        const results = await subscribeOnce(wsUrl(spawned), TASK_UPDATED, { id });
        return results.map((result) => result.data?.taskUpdated?.state ?? JSON.stringify(result));
      }),
    ),
  );
}

async function setCallbackMode(mode: 'deliver' | 'drop') {
  const response = await fetch(`${emulator.url}/emulator/callback-mode`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${PROCESS_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
  expect(response.status).toBe(200);
}

/** Stops A while it holds the lease of a task it polls, then kills it; the leases it held. */
async function killWhileItPolls(): Promise<{ providerTaskId: string; leaseEnd: Date }[]> {
  const a = gateway('a');
  for (;;) {
    a.child.kill('SIGSTOP');
    let held: { providerTaskId: string | null; leaseEnd: Date | null }[] = [];
    try {
      held = await db.db
        .select({ providerTaskId: tasks.providerTaskId, leaseEnd: tasks.nextPollAt })
        .from(tasks)
        .where(and(eq(tasks.leasedBy, 'a'), gt(tasks.nextPollAt, sql`now()`)));
    } finally {
      // A stopped process would never answer the SIGTERM that ends the test.
      if (held.length === 0) a.child.kill('SIGCONT');
    }
    if (held.length > 0) {
      const exited = once(a.child, 'exit');
      a.child.kill('SIGKILL');
      await exited;
      gateways.a = undefined;
      return held.map((row) => ({
        providerTaskId: row.providerTaskId as string,
        leaseEnd: row.leaseEnd as Date,
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pairs of recordInfo calls for one task whose times overlap: two polls of it at once. */
function overlappingPolls(calls: EmulatorCall[]): EmulatorCall[][] {
  const byTask = new Map<string | undefined, EmulatorCall[]>();
  for (const call of calls.filter((each) => each.route === 'recordInfo')) {
    byTask.set(call.taskId, [...(byTask.get(call.taskId) ?? []), call]);
  }
  return [...byTask.values()].flatMap((polls) => {
    const ordered = polls.toSorted((x, y) => x.at - y.at);
    return ordered.slice(1).flatMap((poll, i) => {
      const previous = ordered[i] as EmulatorCall;
      return poll.at < (previous.endedAt ?? Number.POSITIVE_INFINITY) ? [[previous, poll]] : [];
    });
  });
}

describe('three gateway processes on one database', () => {
  it('share task changes and polls, and finish the tasks of one that was killed', async () => {
    // Created on A, followed on B and C, finished by callbacks that land on C.
    const delivered = await createOn(gateway('a'), 3);
    const seenDelivered = await follow(delivered, [gateway('b'), gateway('c')]);
    expect(seenDelivered).toEqual(fullSequences(delivered.length * 2));

    // No callback will come: A dies while it polls, and B and C finish its tasks by polling.
    await setCallbackMode('drop');
    const orphaned = await createOn(gateway('a'), 3);
    const following = follow(orphaned, [gateway('b'), gateway('c')]);
    const heldByA = await killWhileItPolls();
    expect(await following).toEqual(fullSequences(orphaned.length * 2));

    const listed = await emulatorTasks(emulator.url);
    const callbacks = listed.map((task) => task.callbacks);
    expect(callbacks.filter((counts) => counts.delivered === 1)).toHaveLength(delivered.length);
    expect(callbacks.filter((counts) => counts.dropped === 1)).toHaveLength(orphaned.length);
    expect(listed.every((task) => task.callBackUrl?.startsWith(gateway('c').url))).toBe(true);

    const calls = await emulatorCalls(emulator.url);
    // The tasks A held when it died were polled again, by B or C, once their leases ran out.
    for (const { providerTaskId, leaseEnd } of heldByA) {
      const polled = calls.some((call) => call.taskId === providerTaskId && call.at >= +leaseEnd);
      expect(polled, providerTaskId).toBe(true);
    }
    expect(overlappingPolls(calls)).toEqual([]);
    const unfinished = await db.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(inArray(tasks.state, ['PENDING', 'WAITING', 'QUEUING', 'GENERATING']));
    expect(unfinished).toEqual([]);
  }, 60_000);
});
