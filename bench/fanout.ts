/**
 * Fan-out benchmark (issue #9): how soon a task change reaches its graphql-ws subscribers with
 * 1,000 and 10,000 subscribers on distinct tasks and 100 on one task, and what an idle
 * subscription costs the gateway, beside a raw `ws` server pushing the same message
 * (baselines/ws-push.ts). Changes are kie.ai success callbacks, signed, sent at a steady rate;
 * latency runs from just before a callback is sent to the message's arrival at its subscriber, in
 * wall-clock time on this machine (fanout-wire.ts's `now()`, in both processes).
 * The gateway runs in its own process on a fresh PostgreSQL database, with the emulator in
 * another; each server's subscribers live in a process of their own. Tasks are inserted straight
 * into the database, WAITING at kie.ai, with their first poll a day away and POLL_INTERVAL_MS an
 * hour: the poller stays out of the measurement. Gateway and baseline rounds alternate.
 * Memory per idle subscription: the server's resident memory before and after N connections each
 * subscribe to a task, over N. `tsx bench/fanout.ts [--quick] [--cpu-prof=<dir>]`: 1,000 and
 * 10,000 subscribers on distinct tasks and 100 on one, or 200 and 50 with --quick; --cpu-prof
 * writes each gateway's CPU profile (node --cpu-prof) to <dir>.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { signWebhook, sora2Characters } from '@charanim/provider';
import {
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
  startScriptProcess,
} from '@charanim/test-support';
import postgres from 'postgres';
import { ANONYMOUS_OWNER } from '../services/gateway/src/auth/authenticator.ts';
import { successBody } from '../test/src/support/callbacks.ts';
import { benchDatabase } from './support/database.ts';
import { type Side, Subscribers } from './support/fanout-subscribers.ts';
import { FOLLOW, now } from './support/fanout-wire.ts';
import { type Goal, ratioGoal } from './support/goals.ts';
import { memoryOf, percentile } from './support/measure.ts';
import { writeResult } from './support/results.ts';

const quick = process.argv.includes('--quick');
const profileDir = process.argv.find((arg) => arg.startsWith('--cpu-prof='))?.split('=')[1];
const sizes = quick ? [200] : [1_000, 10_000];
/**
 * Subscribers on one task, and how many changes make a round: a success callback ends its task,
 * so each change is on a new task, followed by the same subscribers.
 */
const oneTask = { subscribers: quick ? 50 : 100, changesPerRound: quick ? 5 : 20 };
/** Changes per round on distinct tasks: at the larger size, the other subscribers stay idle. */
const changesPerRound = quick ? 200 : 1_000;
/** Steady, and well below what the gateway can take (a third of a core at this rate): latency, not queueing. */
const callbacksPerSecond = 100;
const roundsPerSide = 2;
/** Subscribers that run every path once before memory is measured, so that it holds no first-use code. */
const warmUpSubscribers = 20;
/** The wait before reading a server's memory, for the garbage of what came before to settle. */
const settleMs = quick ? 500 : 2_000;
const collectTimeoutMs = 30_000;
const HMAC_KEY = 'bench-fanout-hmac-key';
const KB = 1024;

interface Task {
  id: string;
  providerTaskId: string;
}

/** A server under test, its subscribers' process, and where its tasks come from. */
interface Server {
  side: Side;
  process: Spawned;
  subscribers: Subscribers;
  newTasks(count: number): Promise<Task[]>;
  callbackUrl(taskId: string): string;
  stop(): Promise<void>;
}

/** What one round measured. */
interface Measured {
  latencies: number[];
  /** Changes a subscriber should have received and did not. */
  missed: number;
  /** Callbacks the server did not answer with 2xx. */
  refused: number;
  /** One message's payload, as the subscriber read it. */
  sample: unknown;
}

/** Open files allowed to each process here; every subscriber is a socket at both ends. */
function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Number.POSITIVE_INFINITY);
}

/** A signed success callback for `task`, sent as kie.ai would, and whether it was taken. */
async function sendCallback(url: string, task: Task, sentAt: Map<string, number>) {
  const timestamp = Math.floor(Date.now() / 1000);
  const init = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-timestamp': String(timestamp),
      'x-webhook-signature': signWebhook(task.providerTaskId, timestamp, HMAC_KEY),
    },
    body: successBody(task.providerTaskId),
  };
  sentAt.set(task.id, now());
  try {
    const response = await fetch(url, init);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Sends each task's callback at `callbacksPerSecond`, whatever the answers take, then waits for
 * `fanout` subscribers of each task to receive the change.
 */
async function measure(server: Server, tasks: Task[], fanout: number): Promise<Measured> {
  const sentAt = new Map<string, number>();
  const answers: Promise<boolean>[] = [];
  const start = now();
  for (const [i, task] of tasks.entries()) {
    const due = start + (i * 1000) / callbacksPerSecond;
    if (due > now()) await sleep(due - now());
    answers.push(sendCallback(server.callbackUrl(task.id), task, sentAt));
  }
  const refused = (await Promise.all(answers)).filter((ok) => !ok).length;
  const expected = tasks.length * fanout;
  const collected = await server.subscribers.collect(expected, collectTimeoutMs);
  // A change that came after an earlier round gave up on it is no one's.
  const arrivals = collected.arrivals.filter((arrival) => sentAt.has(arrival.task));
  return {
    latencies: arrivals.map((arrival) => arrival.at - (sentAt.get(arrival.task) as number)),
    missed: expected - arrivals.length,
    refused,
    sample: collected.sample,
  };
}

/** Every subscriber on a task of its own; some of the tasks change, the others' subscribers wait. */
async function distinctRound(server: Server, subscribers: number): Promise<Measured> {
  const tasks = await server.newTasks(subscribers);
  await server.subscribers.follow(tasks.map((task) => task.id));
  const measured = await measure(server, tasks.slice(0, changesPerRound), 1);
  await server.subscribers.unfollow();
  return measured;
}

/** The first `oneTask.subscribers` subscribers on one task, one change after another. */
async function oneTaskRound(server: Server): Promise<Measured> {
  const rounds: Measured[] = [];
  for (let change = 0; change < oneTask.changesPerRound; change++) {
    const [task] = (await server.newTasks(1)) as [Task];
    await server.subscribers.follow(Array(oneTask.subscribers).fill(task.id));
    rounds.push(await measure(server, [task], oneTask.subscribers));
  }
  return merged(rounds);
}

function merged(rounds: Measured[]): Measured {
  return {
    latencies: rounds.flatMap((round) => round.latencies),
    missed: rounds.reduce((sum, round) => sum + round.missed, 0),
    refused: rounds.reduce((sum, round) => sum + round.refused, 0),
    sample: rounds[0]?.sample,
  };
}

const ms = (value: number) => Math.round(value * 100) / 100;

function figures(rounds: Measured[]) {
  const all = merged(rounds);
  return {
    deliveries: all.latencies.length,
    missed: all.missed,
    refusedCallbacks: all.refused,
    p50Ms: ms(percentile(all.latencies, 50)),
    p99Ms: ms(percentile(all.latencies, 99)),
    maxMs: ms(Math.max(...all.latencies)),
    p99MsByRound: rounds.map((round) => ms(percentile(round.latencies, 99))),
    samplePayload: all.sample,
  };
}

/** Gateway round, baseline round, and again, so that a drift of the machine falls on both. */
async function alternate(servers: Server[], round: (server: Server) => Promise<Measured>) {
  const rounds = new Map<Side, Measured[]>(servers.map((server) => [server.side, []]));
  for (let i = 0; i < roundsPerSide; i++) {
    for (const server of servers) rounds.get(server.side)?.push(await round(server));
  }
  const gateway = figures(rounds.get('gateway') ?? []);
  const baseline = figures(rounds.get('baseline') ?? []);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    gateway,
    baseline,
    ratios: {
      p50: ratio(gateway.p50Ms, baseline.p50Ms),
      p99: ratio(gateway.p99Ms, baseline.p99Ms),
    },
  };
}

/** Every path run once (subscribe, callback, delivery, completion), then every connection closed. */
async function warmUp(server: Server): Promise<void> {
  const tasks = await server.newTasks(warmUpSubscribers);
  await server.subscribers.open(warmUpSubscribers);
  await server.subscribers.follow(tasks.map((task) => task.id));
  const { missed } = await measure(server, tasks, 1);
  if (missed > 0)
    throw new Error(`${server.side}: ${missed} changes never arrived while warming up`);
  await server.subscribers.disconnect();
}

/** The server's resident memory before and after `count` connections, then a subscription on each. */
async function idleMemory(server: Server, count: number) {
  const rss = async () => {
    await sleep(settleMs);
    return memoryOf(server.process.child.pid as number).rssBytes;
  };
  const before = await rss();
  await server.subscribers.open(count);
  const connected = await rss();
  const tasks = await server.newTasks(count);
  await server.subscribers.follow(tasks.map((task) => task.id));
  const subscribed = await rss();
  await server.subscribers.unfollow();
  const kb = (bytes: number) => Math.round((bytes / count / KB) * 10) / 10;
  return {
    beforeBytes: before,
    connectedBytes: connected,
    subscribedBytes: subscribed,
    perConnectionKB: kb(connected - before),
    perIdleSubscriptionKB: kb(subscribed - before),
  };
}

async function gatewayServer(emulator: Spawned, databaseUrl: string): Promise<Server> {
  const gateway = await startGatewayProcess(
    {
      DATABASE_URL: databaseUrl,
      KIE_API_BASE_URL: emulator.url,
      KIE_UPLOAD_BASE_URL: emulator.url,
      KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      // Every subscriber is the one anonymous owner.
      MAX_SUBSCRIPTIONS_PER_OWNER: String(Math.max(...sizes) + oneTask.subscribers),
      POLL_INTERVAL_MS: '3600000',
      POLL_MAX_INTERVAL_MS: '3600000',
    },
    undefined,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const subscribers = new Subscribers('gateway', gateway.url);
  return {
    side: 'gateway',
    process: gateway,
    subscribers,
    newTasks: (count) => db<Task[]>`
      insert into tasks (owner, model, state, input, provider_task_id, submitted_at, next_poll_at)
      select ${ANONYMOUS_OWNER}, ${sora2Characters.id}, 'WAITING',
        jsonb_build_object('videoUrl', 'https://videos.example.com/fanout.mp4'),
        'fanout-' || gen_random_uuid(), now(), now() + interval '1 day'
      from generate_series(1, ${count})
      returning id, provider_task_id as "providerTaskId"`,
    callbackUrl: (taskId) => `${gateway.url}/webhooks/kie?task=${taskId}`,
    async stop() {
      await subscribers.stop();
      await gateway.stop();
      await db.end();
    },
  };
}

async function baselineServer(): Promise<Server> {
  const baseline = await startScriptProcess('bench/baselines/ws-push.ts', {
    KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
  });
  const subscribers = new Subscribers('baseline', baseline.url);
  return {
    side: 'baseline',
    process: baseline,
    subscribers,
    newTasks: async (count) =>
      Array.from({ length: count }, () => ({
        id: randomUUID(),
        providerTaskId: `fanout-${randomUUID()}`,
      })),
    callbackUrl: (taskId) => `${baseline.url}/callback?task=${taskId}`,
    async stop() {
      await subscribers.stop();
      await baseline.stop();
    },
  };
}

/** A fresh gateway and baseline with `subscribers` subscribers each. */
async function scenario(emulator: Spawned, subscribers: number, withOneTask: boolean) {
  const database = await benchDatabase();
  const gateway = await gatewayServer(emulator, database.url);
  const baseline = await baselineServer();
  const servers = [gateway, baseline];
  try {
    for (const server of servers) await warmUp(server);
    const memory = {
      gateway: await idleMemory(gateway, subscribers),
      baseline: await idleMemory(baseline, subscribers),
    };
    const distinct = await alternate(servers, (server) => distinctRound(server, subscribers));
    const shared = withOneTask ? await alternate(servers, oneTaskRound) : undefined;
    return { subscribers, memory, distinct, oneTask: shared };
  } finally {
    for (const server of servers) await server.stop();
    await database.drop();
  }
}

const fileLimit = openFileLimit();
const largest = Math.max(...sizes);
// Each server and each subscribers' process holds one socket per subscriber.
if (fileLimit < largest + 1_000) {
  throw new Error(`ulimit -n is ${fileLimit}: raise it to ${largest + 1_000} or more`);
}
const machine = {
  cpus: availableParallelism(),
  loadAverage1mAtStart: loadavg()[0],
  openFileLimit: fileLimit,
};
const emulator = await startEmulatorProcess();
const runs = [];
try {
  for (const [i, size] of sizes.entries()) runs.push(await scenario(emulator, size, i === 0));
} finally {
  await emulator.stop();
}

const last = runs.at(-1) as (typeof runs)[number];
const perSubscriptionKB = last.memory.gateway.perIdleSubscriptionKB;
const count = (n: number) => n.toLocaleString('en-US');
const goals: Goal[] = [
  ratioGoal(`p99 at ${count(largest)} subscribers vs raw ws`, last.distinct.ratios.p99, {
    atMost: 2,
  }),
  {
    name: `memory per idle subscription at ${count(largest)} subscribers`,
    target: '≤ 20 KB',
    measured: `${perSubscriptionKB} KB`,
    met: perSubscriptionKB <= 20,
  },
];
const shared = runs[0]?.oneTask;
const file = writeResult('fanout', {
  parameters: {
    quick,
    distinctSubscribers: sizes,
    changesPerRound,
    oneTaskSubscribers: oneTask.subscribers,
    oneTaskChangesPerRound: oneTask.changesPerRound,
    callbacksPerSecond,
    roundsPerSide,
    warmUpSubscribers,
    subscription: FOLLOW,
    pollIntervalMs: 3_600_000,
    clock: 'performance.timeOrigin + performance.now() in each process, one machine',
    kilobyte: KB,
  },
  machine,
  distinct: runs.map(({ subscribers, memory, distinct }) => ({ subscribers, memory, ...distinct })),
  oneTask: shared && { subscribers: oneTask.subscribers, ...shared },
  goals,
});

const line = (name: string, result: ReturnType<typeof figures>) =>
  `${name} p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.deliveries} deliveries, ${result.missed} missed)`;
console.log(`fan-out: callbacks at ${callbacksPerSecond}/s, ${roundsPerSide} rounds a side`);
for (const run of runs) {
  console.log(`  ${count(run.subscribers)} subscribers on distinct tasks:`);
  console.log(`    ${line('gateway', run.distinct.gateway)}`);
  console.log(`    ${line('raw ws ', run.distinct.baseline)}`);
  console.log(
    `    memory per idle subscription: gateway ${run.memory.gateway.perIdleSubscriptionKB} KB, raw ws ${run.memory.baseline.perIdleSubscriptionKB} KB`,
  );
}
if (shared) {
  console.log(`  ${oneTask.subscribers} subscribers on one task:`);
  console.log(`    ${line('gateway', shared.gateway)}`);
  console.log(`    ${line('raw ws ', shared.baseline)}`);
}
for (const goal of goals) {
  console.log(
    `  ${goal.name}: ${goal.measured} (goal ${goal.target}) ${goal.met ? 'met' : 'MISSED'}`,
  );
}
console.log(`  written to ${file}`);
