import { readdir } from 'node:fs/promises';
import { tasks } from '@charanim/db';
import { signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyProbes } from './bad-input/api-keys.ts';
import { contentTypes } from './bad-input/content-types.ts';
import { deepDocuments } from './bad-input/deep-documents.ts';
import { forgedCallbacks } from './bad-input/forged-callbacks.ts';
import { getParams } from './bad-input/get-params.ts';
import { hugeDocuments } from './bad-input/huge-documents.ts';
import { idsAndCursors } from './bad-input/ids-cursors.ts';
import { invalidJson } from './bad-input/invalid-json.ts';
import { invalidUtf8 } from './bad-input/invalid-utf8.ts';
import { methodsAndPaths } from './bad-input/methods-paths.ts';
import { brokenMultipart } from './bad-input/multipart.ts';
import { oversize } from './bad-input/oversize.ts';
import { describeProbe } from './bad-input/probes.ts';
import { protocol } from './bad-input/protocol.ts';
import { replayedCallbacks } from './bad-input/replayed-callbacks.ts';
import { callbackBody, KEY, now } from './bad-input/requests.ts';
import { Rng } from './bad-input/rng.ts';
import { runAll, sentBytes } from './bad-input/send.ts';
import { type RealTask, snapshot } from './bad-input/state.ts';
import { unknownFields } from './bad-input/unknown-fields.ts';
import { wrongTypes } from './bad-input/wrong-types.ts';
import { startTestGateway, TEST_HMAC_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

/**
 * A barrage of malformed requests, generated from a seeded PRNG so that a run can be replayed
 * (`BAD_INPUT_SEED=n`; `BAD_INPUT_VERBOSE=1` prints every request and its answer): no answer may
 * be a 5xx, the process must stay up, and the database must be exactly as it was before.
 */

const SEED = Number(process.env.BAD_INPUT_SEED ?? 20_240_611);

// ---------------------------------------------------------------------------------------------

let t: TestGateway;
let real: RealTask;

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `acme:${KEY}` },
    emulator: { timing: { waitingMs: 400, queuingMs: 400, generatingMs: 400 } },
  });
  // One real task, completed by a signed callback we keep to replay later.
  t.emulator.setCallbackMode('drop');
  const created = await graphql(
    t.graphqlUrl,
    CREATE_CHARACTER,
    {
      input: { videoUrl: 'https://videos.example.com/cat.mp4', prompt: 'A sleepy cat in a basket' },
    },
    KEY,
  );
  const task = (created.data as any).createCharacter.task;
  const row = (await t.gateway.database.db.select().from(tasks)).find(
    (candidate) => candidate.providerTaskId === task.providerTaskId,
  );
  if (!row) throw new Error('the real task was not stored');
  const callback = callbackBody(task.providerTaskId, 'success', 'char_real_cat');
  const ts = now();
  const answer = await fetch(`${t.webhookUrl}?task=${row.id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-timestamp': String(ts),
      'x-webhook-signature': signWebhook(task.providerTaskId, ts, TEST_HMAC_KEY),
    },
    body: callback,
  });
  expect(answer.status).toBe(200);
  expect(['applied', 'stale']).toContain((await answer.json()).outcome);
  await waitFor(async () => {
    const [current] = (await t.gateway.database.db.select().from(tasks)).filter(
      (candidate) => candidate.id === row.id,
    );
    return current?.state === 'SUCCESS' && current.nextPollAt === null;
  });
  const read = await graphql(
    t.graphqlUrl,
    'query($id: ID!) { task(id: $id) { character { id } } }',
    { id: task.id },
    KEY,
  );
  real = {
    id: row.id,
    globalId: task.id,
    providerTaskId: task.providerTaskId,
    callback,
    characterGlobalId: (read.data as any).task.character.id,
  };
});

afterAll(async () => {
  await t?.close();
});

describe('a barrage of malformed requests', () => {
  it('answers every one below 500, stays up, and changes nothing in the database', {
    timeout: 120_000,
  }, async () => {
    const rng = new Rng(SEED);
    const probes = [
      ...invalidJson(rng),
      ...wrongTypes(rng),
      ...unknownFields(rng),
      ...hugeDocuments(rng),
      ...deepDocuments(rng),
      ...invalidUtf8(rng),
      ...contentTypes(rng),
      ...getParams(rng),
      ...brokenMultipart(rng),
      ...oversize(rng),
      ...forgedCallbacks(rng, real),
      ...replayedCallbacks(rng, real),
      ...apiKeyProbes(rng),
      ...idsAndCursors(rng, real),
      ...methodsAndPaths(rng),
      ...protocol(rng),
    ];
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const before = await snapshot(t);
    const started = Date.now();
    const results = await runAll(probes, t);
    const elapsed = Date.now() - started;

    const histogram = new Map<string, number>();
    const byCategory = new Map<string, Map<string, number>>();
    for (const { probe, outcome } of results) {
      const key = String(outcome);
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
      const perCategory = byCategory.get(probe.category) ?? new Map<string, number>();
      perCategory.set(key, (perCategory.get(key) ?? 0) + 1);
      byCategory.set(probe.category, perCategory);
    }
    const show = (counts: Map<string, number>) =>
      [...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => `${key}: ${n}`)
        .join(', ');
    console.log(
      [
        `bad-input (${process.env.TEST_DATABASE}, seed ${SEED}): ${results.length} malformed requests, ${(sentBytes(probes) / 1e6).toFixed(1)} MB, in ${elapsed} ms`,
        `statuses: ${show(histogram)}`,
        ...[...byCategory].map(([category, counts]) => `  ${category.padEnd(20)} ${show(counts)}`),
      ].join('\n'),
    );

    if (process.env.BAD_INPUT_VERBOSE) {
      for (const { probe, outcome } of results) console.log(`${outcome} ${describeProbe(probe)}`);
    }

    const failures = results.filter(
      ({ outcome, probe }) =>
        (typeof outcome === 'number' && outcome >= 500) ||
        // graphql-ws's 4500: an internal error, its 5xx.
        (typeof outcome === 'string' && /^ws:45\d\d$/.test(outcome)) ||
        // Only a request we left incomplete may go unanswered.
        (outcome === 'no-answer' && !(probe.send.kind === 'raw' && probe.send.incomplete)),
    );
    // Soft, so that a 5xx does not hide what the barrage did to the process and the database.
    expect
      .soft(failures.map(({ probe, outcome }) => `${outcome} ${describeProbe(probe)}`))
      .toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(500);
    // A wrong or missing key is never let in, whatever the request carries.
    const admitted = results.filter(
      ({ probe, outcome }) =>
        probe.category === 'api-keys' &&
        !(outcome === 401 || outcome === 400 || outcome === 'ws:4401' || outcome === 'ws:4400'),
    );
    expect
      .soft(admitted.map(({ probe, outcome }) => `${outcome} ${describeProbe(probe)}`))
      .toEqual([]);

    // Alive, and still serving.
    const health = await fetch(`${t.gateway.url}/health`);
    expect(health.status).toBe(200);
    const read = await graphql(
      t.graphqlUrl,
      'query($id: ID!) { task(id: $id) { id state } }',
      { id: real.globalId },
      KEY,
    );
    expect(read).toEqual({ data: { task: { id: real.globalId, state: 'SUCCESS' } } });

    // Nothing written, nothing polluted, nothing left in the spool.
    expect.soft(await snapshot(t)).toEqual(before);
    expect.soft(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect.soft(({} as Record<string, unknown>).polluted).toBeUndefined();
    const spooled = async () => (await readdir(t.gateway.uploadDirectory)).length === 0;
    await waitFor(spooled, 5_000).catch(() => {});
    expect.soft(await readdir(t.gateway.uploadDirectory)).toEqual([]);
  });
});
