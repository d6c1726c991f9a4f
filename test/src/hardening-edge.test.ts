import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_HMAC_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

/**
 * Hostile input at the edges found by an outside attack run (issue 17): bodies without an end,
 * garbage callbacks, forged cursors, documents that hide their nesting, and what the logs keep.
 */

let t: TestGateway;
/** A finished task of the gateway's, with its character (prompt "a tabby cat"). */
let real: { id: string; providerTaskId: string };

beforeAll(async () => {
  t = await startTestGateway();
  const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
    input: { videoUrl: 'https://videos.example.com/cat.mp4', prompt: 'a tabby cat' },
  });
  const task = (created.data as any).createCharacter.task;
  const states = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id: task.id });
  expect(states.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
  real = { id: task.id, providerTaskId: task.providerTaskId };
});
afterAll(async () => {
  await t?.close();
});

describe('the webhook route', () => {
  it('answers a chunked body 413 once it passes 64 KB, without waiting for its end, and hangs up', async () => {
    const request = httpRequest(t.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    request.on('error', () => {});
    // 80 KB, and the body never ends: a route that reads it whole waits forever.
    request.write('a'.repeat(80 * 1024));
    const answer = await new Promise<{ status: number | undefined; closed: Promise<void> }>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000);
        request.on('response', (response) => {
          clearTimeout(timer);
          response.resume();
          const closed = new Promise<void>((done) => request.socket?.once('close', () => done()));
          resolve({ status: response.statusCode, closed });
        });
      },
    );
    expect(answer.status).toBe(413);
    // The gateway hung up instead of reading the rest.
    await answer.closed;
    request.destroy();
  });

  it('answers garbage it cannot store with 400, not with a 503 that kie.ai would retry', async () => {
    const post = async (taskIdJson: string, signedId: string, extra = '') => {
      const now = Math.floor(Date.now() / 1000);
      const response = await fetch(t.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-timestamp': String(now),
          'x-webhook-signature': signWebhook(signedId, now, TEST_HMAC_KEY),
        },
        body: `{"code":200,"msg":"ok","data":{"taskId":${taskIdJson},"model":"sora-2-characters","state":"success","resultJson":"{\\"character_id\\":\\"c1\\"}"${extra}}}`,
      });
      return [response.status, await response.json()];
    };
    const id = JSON.stringify(real.providerTaskId);
    const malformed = [400, { outcome: 'malformed' }];
    expect(await post('"task\\u0000x"', 'task\u0000x')).toEqual(malformed);
    expect(await post(id, real.providerTaskId, ',"note":"\\u0000"')).toEqual(malformed);
    expect(await post(id, real.providerTaskId, ',"note":"\\udc00 lone"')).toEqual(malformed);
    expect(await post(id, real.providerTaskId, ',"\\ud800":1')).toEqual(malformed);
    const deep = `,"note":${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    expect(await post(id, real.providerTaskId, deep)).toEqual(malformed);
    // The same callback without the garbage is taken.
    expect(await post(id, real.providerTaskId)).toEqual([200, { outcome: 'stale' }]);
    // Each refusal counts as a malformed callback, as one the ingester refuses does.
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toContain('gateway_callbacks_total{outcome="malformed"} 5');
  });
});

describe('the nesting check before parsing', () => {
  it('is not fooled by a quote inside a block string, over HTTP and graphql-ws', async () => {
    const nested = `${'['.repeat(70)}${']'.repeat(70)}`;
    const query = `query($a: String = """ 5" tall """) { tasks(after: $a, x: ${nested}) { edges { cursor } } }`;
    const refused = 'the document is nested deeper than 64';
    const overHttp = await graphql(t.graphqlUrl, query);
    expect(overHttp.errors?.[0]?.message).toBe(refused);
    const overWs = await subscribeOnce(t.wsUrl, query, {});
    expect(overWs.at(-1)?.errors?.[0]?.message).toBe(refused);
  });
});

describe('forged cursors', () => {
  it('are a BAD_USER_INPUT error naming after, in every list, never an unexpected error', async () => {
    const uuid = '0190c0a0-0000-7000-8000-000000000000';
    const cursor = (...parts: unknown[]) =>
      Buffer.from(JSON.stringify(parts)).toString('base64url');
    const forged = [
      cursor('-271821-04-20T00:00:00.000Z', uuid),
      cursor('+275760-09-13T00:00:00.000Z', uuid),
      cursor('0000-01-01T00:00:00.000Z', uuid),
      cursor('2020-02-30T00:00:00.000Z', uuid),
      cursor('2020-01-01T00:00:00.000Z', '-'.repeat(36)),
      cursor('2020-01-01T00:00:00.000Z', 'f'.repeat(36)),
      cursor('2020-01-01T00:00:00.000Z', uuid, '1'),
    ];
    const lists = [
      'query($a: String) { tasks(after: $a) { edges { cursor } } }',
      'query($a: String) { characters(after: $a) { edges { cursor } } }',
      'query($a: String) { characters(search: "cat", after: $a) { edges { cursor } } }',
      'query($a: String) { characters(search: "cat", orderBy: NEWEST, after: $a) { edges { cursor } } }',
    ];
    const answers = [];
    for (const after of forged) {
      for (const list of lists)
        answers.push((await graphql(t.graphqlUrl, list, { a: after })).errors);
    }
    const refusal = {
      message: 'after is not a cursor returned by this API',
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    };
    expect(answers).toEqual(answers.map(() => [expect.objectContaining(refusal)]));
    // A cursor the gateway gave out still pages.
    const first = await graphql(t.graphqlUrl, lists[2] as string, {});
    const given = (first.data as any).characters.edges[0].cursor;
    expect((await graphql(t.graphqlUrl, lists[2] as string, { a: given })).errors).toBeUndefined();
  });
});

describe('a database error', () => {
  it('is logged as its statement, without the values bound to it, and answered without a stack', async () => {
    const secret = 'secret-prompt-4711';
    // Every new task now breaks a rule of the database's, whose detail repeats the row.
    await t.gateway.database.db.execute(
      'alter table tasks add constraint refuse_all check (false) not valid',
    );
    // graphql-yoga answers with the original error and its stack when NODE_ENV says development.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    let answer: Awaited<ReturnType<typeof graphql>>;
    const logged = t.logs.length;
    try {
      answer = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
        input: { videoUrl: 'https://videos.example.com/secret.mp4', prompt: secret },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
      await t.gateway.database.db.execute('alter table tasks drop constraint refuse_all');
    }
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    const errors = t.logs.slice(logged).filter((line) => JSON.parse(line).level >= 50);
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('secret.mp4');
    }
    const { err } = JSON.parse(errors[0] as string);
    expect(err).toMatchObject({
      message: 'database query failed',
      query: expect.stringMatching(/^insert into "tasks"/),
      code: '23514',
      constraint: 'refuse_all',
    });
  });
});

describe('upload spool folders', () => {
  it('are removed at start when their process is gone, and kept while it runs', async () => {
    const exited = spawn(process.execPath, ['-e', '']);
    await once(exited, 'exit');
    const running = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1_000)']);
    const folder = (name: string) => join(tmpdir(), `charanim-uploads-${name}`);
    const dead = folder(`${exited.pid}-edgetest`);
    const alive = folder(`${running.pid}-edgetest`);
    const unnamed = folder('edgetest-without-pid');
    for (const path of [dead, alive, unnamed]) {
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'upload-half-written'), 'x');
    }
    const exists = (path: string) =>
      stat(path).then(
        () => true,
        () => false,
      );
    try {
      const second = await startTestGateway();
      await second.close();
      expect(running.exitCode).toBeNull();
      expect({
        dead: await exists(dead),
        alive: await exists(alive),
        unnamed: await exists(unnamed),
      }).toEqual({ dead: false, alive: true, unnamed: true });
      // A gateway's own folder names its process.
      expect(t.gateway.uploadDirectory).toContain(`charanim-uploads-${process.pid}-`);
    } finally {
      running.kill();
      await Promise.all(
        [dead, alive, unnamed].map((path) => rm(path, { recursive: true, force: true })),
      );
    }
  });
});
