/**
 * Callbacks benchmark: signed kie.ai callbacks, each for a distinct task, posted by autocannon
 * (16 connections) to the gateway (its own process, a PostgreSQL server) and to a node:http
 * server that verifies the same HMAC and runs one UPDATE (baselines/callback-http.ts).
 * Goal: at least 0.8× the baseline's callbacks per second. `tsx bench/callbacks.ts [--quick]`.
 */
import { signWebhook } from '@charanim/provider';
import {
  startEmulatorProcess,
  startGatewayProcess,
  startScriptProcess,
} from '@charanim/test-support';
import postgres from 'postgres';
import { successBody } from '../test/src/support/callbacks.ts';
import { benchDatabase } from './support/database.ts';
import { ratioGoal } from './support/goals.ts';
import { alternate, load } from './support/load.ts';
import { writeResult } from './support/results.ts';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1 : 8;
const rounds = quick ? 1 : 3;
const connections = 16;
// More tasks than either side can take callbacks for in all its rounds.
const taskCount = quick ? 20_000 : 150_000;
const HMAC_KEY = 'bench-webhook-hmac-key';

const emulator = await startEmulatorProcess();
const databases = { gateway: await benchDatabase(), baseline: await benchDatabase() };
const gateway = await startGatewayProcess({
  DATABASE_URL: databases.gateway.url,
  KIE_API_BASE_URL: emulator.url,
  KIE_UPLOAD_BASE_URL: emulator.url,
  KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
  POLL_INTERVAL_MS: '600000',
  POLL_MAX_INTERVAL_MS: '600000',
});
const baseline = await startScriptProcess('bench/baselines/callback-http.ts', {
  DATABASE_URL: databases.baseline.url,
  KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
});

/** Tasks kie.ai is working on, `bench_1` … `bench_N`, on each side's database. */
async function makeTasks(): Promise<void> {
  const gatewayDb = postgres(databases.gateway.url, { max: 1, onnotice: () => {} });
  await gatewayDb`insert into tasks (owner, model, state, input, source_video, provider_task_id, submitted_at, next_poll_at)
    select 'local', 'sora-2-characters', 'GENERATING', jsonb_build_object('videoUrl', url),
      jsonb_build_object('url', url, 'format', null, 'durationSeconds', null, 'sizeBytes', null,
        'sha256', null, 'expiresAt', null),
      'bench_' || n, now(), now() + interval '1 day'
    from generate_series(1, ${taskCount}) n, lateral (select 'https://videos.example.com/' || n || '.mp4' as url) video`;
  await gatewayDb.end();
  const baselineDb = postgres(databases.baseline.url, { max: 1, onnotice: () => {} });
  await baselineDb`create table tasks (id uuid primary key default gen_random_uuid(),
    provider_task_id text unique, state text not null, result text, updated_at timestamptz)`;
  await baselineDb`insert into tasks (provider_task_id, state)
    select 'bench_' || n, 'GENERATING' from generate_series(1, ${taskCount}) n`;
  await baselineDb.end();
}

/** A load run posting each request's callback for the next task of that side. */
function callbacks(url: string, next: { task: number }) {
  return load({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const taskId = `bench_${++next.task}`;
          const timestamp = String(Math.floor(Date.now() / 1000));
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              'x-webhook-timestamp': timestamp,
              'x-webhook-signature': signWebhook(taskId, timestamp, HMAC_KEY),
            },
            body: successBody(taskId, `char_${taskId}`),
          };
        },
      },
    ],
  });
}

try {
  await makeTasks();
  const next = { gateway: { task: 0 }, baseline: { task: 0 } };
  const urls = { gateway: `${gateway.url}/webhooks/kie`, baseline: `${baseline.url}/callback` };
  const figures = await alternate(
    rounds,
    () => callbacks(urls.gateway, next.gateway),
    () => callbacks(urls.baseline, next.baseline),
  );
  const ratio = figures.gateway.throughput / figures.baseline.throughput;
  const goals = [ratioGoal('signed callbacks per second', ratio, { atLeast: 0.8 })];
  const file = writeResult('callbacks', {
    parameters: { connections, secondsPerRun: seconds, rounds, tasks: taskCount, quick },
    gateway: figures.gateway,
    baseline: figures.baseline,
    ratios: {
      throughput: ratio,
      p50: figures.gateway.p50Ms / figures.baseline.p50Ms,
      p99: figures.gateway.p99Ms / figures.baseline.p99Ms,
    },
    goals,
  });
  const { gateway: g, baseline: b } = figures;
  console.log(
    `callbacks: gateway ${g.throughput.toFixed(0)}/s p50 ${g.p50Ms} ms p99 ${g.p99Ms} ms (${g.failed} failed) | baseline ${b.throughput.toFixed(0)}/s p50 ${b.p50Ms} ms p99 ${b.p99Ms} ms (${b.failed} failed)`,
  );
  console.log(
    `  ${goals[0]?.name}: ${goals[0]?.measured} (goal ${goals[0]?.target}) ${goals[0]?.met ? 'met' : 'MISSED'}`,
  );
  console.log(`  written to ${file}`);
} finally {
  await Promise.all([gateway.stop(), baseline.stop(), emulator.stop()]);
  await Promise.all([databases.gateway.drop(), databases.baseline.drop()]);
}
