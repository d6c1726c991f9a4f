/**
 * Create-limit benchmark: many creates from several owners at once, through three gateway
 * processes on one PostgreSQL database, against the emulator in its own process, which drops
 * (429) the 21st createTask of any 10 s as kie.ai does. It measures what kie.ai would have seen:
 * the most createTask calls in any 10 s, how many it dropped, and each owner's share of the first
 * minute of creates. Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL overrides).
 * `tsx bench/create-limit.ts [--quick]`: 200 creates from 5 owners, or 15 through one instance
 * with --quick (under the limit: a smoke test of the harness only).
 */
import { availableParallelism, loadavg } from 'node:os';
import type { EmulatorCall, EmulatorStats } from '@charanim/provider/emulator';
import {
  freePort,
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
} from '@charanim/test-support';
import { benchDatabase } from './support/database.ts';
import type { Goal } from './support/goals.ts';
import { writeResult } from './support/results.ts';

const quick = process.argv.includes('--quick');
const owners = ['ana', 'ben', 'cleo', 'dev', 'eli'];
const creates = quick ? 15 : 200;
/** The smoke test starts one gateway: starting three is most of its time. */
const instances = quick ? 1 : 3;
const limit = 18;
const WINDOW_MS = 10_000;
/** Long enough for every create to find a place: 200 at 18 per 10 s take about 2 minutes. */
const createTimeoutMs = 240_000;

const CREATE = `mutation($input: CreateCharacterInput!) {
  createCharacter(input: $input) { __typename ... on Error { message } }
}`;

const keyOf = (owner: string) => `${owner}-bench-key-0123456789`;

/** Names the create's owner in what the gateway sends kie.ai, for counting each owner's calls. */
const videoUrl = (owner: string, n: number) => `https://videos.example.com/${owner}/${n}.mp4`;

async function create(gateway: Spawned, owner: string, n: number): Promise<string> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf(owner)}` },
    body: JSON.stringify({ query: CREATE, variables: { input: { videoUrl: videoUrl(owner, n) } } }),
  });
  const body = (await response.json()) as any;
  return body.data?.createCharacter?.__typename ?? JSON.stringify(body);
}

/** The most of `times` (sorted) within any span of `windowMs`. */
function mostInWindow(times: number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Whose create a call to createTask was, from the video URL the gateway sent on. */
function ownerOf(call: EmulatorCall): string | undefined {
  const url = JSON.stringify(call.body ?? '');
  return owners.find((owner) => url.includes(`/videos.example.com/${owner}/`));
}

const database = await benchDatabase();
const emulator = await startEmulatorProcess({ EMULATOR_WAITING_MS: '500' });
const gateways: Spawned[] = [];
try {
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const env = (i: number) => ({
    DATABASE_URL: database.url,
    KIE_API_BASE_URL: emulator.url,
    KIE_UPLOAD_BASE_URL: emulator.url,
    GATEWAY_API_KEYS: owners.map((owner) => `${owner}:${keyOf(owner)}`).join(','),
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
    KIE_CREATE_LIMIT: String(limit),
    CREATE_TIMEOUT_MS: String(createTimeoutMs),
    INSTANCE_NAME: `bench-${i}`,
  });
  // The first migrates the database; the others find it ready.
  gateways.push(await startGatewayProcess(env(0), ports[0]));
  gateways.push(
    ...(await Promise.all(ports.slice(1).map((port, i) => startGatewayProcess(env(i + 1), port)))),
  );
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: creates }, (_, n) => {
      const owner = owners[n % owners.length] as string;
      return create(gateways[n % instances] as Spawned, owner, n);
    }),
  );
  const elapsedS = (Date.now() - started) / 1000;
  const calls = ((await (await fetch(`${emulator.url}/emulator/calls`)).json()) as any)
    .calls as EmulatorCall[];
  const stats = (await (await fetch(`${emulator.url}/emulator/stats`)).json()) as EmulatorStats;
  const createCalls = calls.filter((call) => call.route === 'createTask');
  const times = createCalls.map((call) => call.at).sort((a, b) => a - b);
  const firstAt = times[0] ?? started;
  const firstMinute = Object.fromEntries(
    owners.map((owner) => [
      owner,
      createCalls.filter((call) => ownerOf(call) === owner && call.at < firstAt + 60_000).length,
    ]),
  );
  const shares = Object.values(firstMinute);
  const fewest = Math.min(...shares);
  const most = Math.max(...shares);
  const spread = fewest === 0 ? Number.POSITIVE_INFINITY : (most - fewest) / fewest;
  const mostIn10s = mostInWindow(times, WINDOW_MS);
  const succeeded = answers.filter((answer) => answer === 'CreateCharacterSuccess').length;
  const other = answers.filter((answer) => answer !== 'CreateCharacterSuccess');
  const result = {
    creates,
    succeeded,
    notSucceeded: other.slice(0, 5),
    elapsedS,
    createTaskCalls: createCalls.length,
    mostIn10s,
    dropped429: stats.creates.dropped,
    firstMinute,
    spread,
  };
  const machine = { cpus: availableParallelism(), loadAverage1mAtStart: loadavg()[0] };
  const file = writeResult('create-limit', {
    parameters: { quick, owners: owners.length, creates, instances, limit, createTimeoutMs },
    machine,
    result,
    goals: [
      {
        name: `most createTask calls kie.ai saw in any 10 s (${creates} creates, ${owners.length} owners, ${instances} instances)`,
        target: `≤ ${limit}`,
        measured: String(mostIn10s),
        met: mostIn10s <= limit,
      },
      {
        name: 'creates kie.ai dropped with 429',
        target: '0',
        measured: String(stats.creates.dropped),
        met: stats.creates.dropped === 0,
      },
      {
        name: "owners' shares of the first minute of creates, most vs fewest",
        target: '≤ 20 % apart',
        measured: `${most} vs ${fewest} (${(spread * 100).toFixed(0)} %)`,
        // Under the limit every create goes at once: the shares are the requests', not the limit's.
        met: quick ? null : spread <= 0.2,
      },
    ] satisfies Goal[],
  });
  console.log(
    `${succeeded} of ${creates} creates succeeded in ${elapsedS.toFixed(1)} s; kie.ai saw ${createCalls.length} createTask calls, at most ${mostIn10s} in any 10 s (limit ${limit}), dropped ${stats.creates.dropped}`,
  );
  console.log(`  first minute per owner: ${JSON.stringify(firstMinute)}`);
  console.log(`  written to ${file}`);
  if (succeeded !== creates) {
    console.error(`creates that did not succeed: ${JSON.stringify(other.slice(0, 5))}`);
    process.exitCode = 1;
  }
} finally {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await emulator.stop();
  await database.drop();
}
