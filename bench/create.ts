/**
 * Create benchmark: `createCharacter` with a URL at concurrency 1, 16 and 64 (autocannon), the
 * gateway (its own process, a PostgreSQL server, the emulator in its own process) against a
 * minimal node:http server doing the same work (baselines/create-http.ts) on the same emulator.
 * Goal: throughput at least 0.8× the baseline's, p99 at most 1.5× the baseline's.
 * `tsx bench/create.ts [--quick]`.
 */
import {
  PROCESS_API_KEY,
  startEmulatorProcess,
  startGatewayProcess,
  startScriptProcess,
} from '@charanim/test-support';
import { benchDatabase } from './support/database.ts';
import { type Goal, ratioGoal } from './support/goals.ts';
import { alternate, type Load, load } from './support/load.ts';
import { writeResult } from './support/results.ts';

const quick = process.argv.includes('--quick');
const concurrencies = [1, 16, 64];
const seconds = quick ? 1 : 8;
const rounds = quick ? 1 : 3;

const body = JSON.stringify({
  query:
    'mutation Create($input: CreateCharacterInput!) { createCharacter(input: $input) { __typename ... on CreateCharacterSuccess { task { id state } } ... on Error { message } } }',
  variables: {
    input: { videoUrl: 'https://videos.example.com/fox.mp4', prompt: 'A friendly fox' },
  },
});

// Creates at hundreds a second measure the gateway's own cost: kie.ai's account limit (20 in any
// 10 s, kept by the gateway and played by the emulator) is off on both sides.
const emulator = await startEmulatorProcess({ EMULATOR_CREATE_LIMIT: '0' });
const databases = { gateway: await benchDatabase(), baseline: await benchDatabase() };
const gateway = await startGatewayProcess({
  DATABASE_URL: databases.gateway.url,
  KIE_API_BASE_URL: emulator.url,
  KIE_UPLOAD_BASE_URL: emulator.url,
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  KIE_CREATE_LIMIT: '0',
  // The poller reads kie.ai for every task made here; kept out of the way, it would measure
  // polling rather than creating.
  POLL_INTERVAL_MS: '600000',
  POLL_MAX_INTERVAL_MS: '600000',
});
const baseline = await startScriptProcess('bench/baselines/create-http.ts', {
  DATABASE_URL: databases.baseline.url,
  KIE_API_BASE_URL: emulator.url,
  KIE_API_KEY: PROCESS_API_KEY,
});
const servers = { gateway: `${gateway.url}/graphql`, baseline: `${baseline.url}/graphql` };

const run = (url: string, connections: number, duration = seconds) =>
  load({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json' },
    body,
  });

try {
  for (const [side, url] of Object.entries(servers)) {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const typename = ((await answer.json()) as any).data?.createCharacter?.__typename;
    if (typename !== 'CreateCharacterSuccess') throw new Error(`${side} answered ${typename}`);
    await run(url, 16, 1);
  }
  const byConcurrency: Record<string, { gateway: Load; baseline: Load }> = {};
  const goals: Goal[] = [];
  for (const connections of concurrencies) {
    const figures = await alternate(
      rounds,
      () => run(servers.gateway, connections),
      () => run(servers.baseline, connections),
    );
    byConcurrency[connections] = figures;
    goals.push(
      ratioGoal(
        `create throughput at concurrency ${connections}`,
        figures.gateway.throughput / figures.baseline.throughput,
        { atLeast: 0.8 },
      ),
      ratioGoal(
        `create p99 at concurrency ${connections}`,
        figures.gateway.p99Ms / figures.baseline.p99Ms,
        { atMost: 1.5 },
      ),
    );
    const { gateway: g, baseline: b } = figures;
    console.log(
      `concurrency ${String(connections).padStart(2)}: gateway ${g.throughput.toFixed(0)}/s p50 ${g.p50Ms} ms p99 ${g.p99Ms} ms (${g.failed} failed) | baseline ${b.throughput.toFixed(0)}/s p50 ${b.p50Ms} ms p99 ${b.p99Ms} ms (${b.failed} failed)`,
    );
  }
  const file = writeResult('create', {
    parameters: { concurrencies, secondsPerRun: seconds, rounds, quick },
    gateway: Object.fromEntries(Object.entries(byConcurrency).map(([c, f]) => [c, f.gateway])),
    baseline: Object.fromEntries(Object.entries(byConcurrency).map(([c, f]) => [c, f.baseline])),
    ratios: Object.fromEntries(
      Object.entries(byConcurrency).map(([c, f]) => [
        c,
        {
          throughput: f.gateway.throughput / f.baseline.throughput,
          p50: f.gateway.p50Ms / f.baseline.p50Ms,
          p99: f.gateway.p99Ms / f.baseline.p99Ms,
        },
      ]),
    ),
    goals,
  });
  for (const goal of goals)
    console.log(
      `  ${goal.name}: ${goal.measured} (goal ${goal.target}) ${goal.met ? 'met' : 'MISSED'}`,
    );
  console.log(`  written to ${file}`);
} finally {
  await Promise.all([gateway.stop(), baseline.stop(), emulator.stop()]);
  await Promise.all([databases.gateway.drop(), databases.baseline.drop()]);
}
