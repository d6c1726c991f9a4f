import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KieClient } from '../src/client.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/emulator/index.ts';
import { parseCharacterResult } from '../src/models/index.ts';
import type { ProviderTaskState } from '../src/types.ts';
import { parseCallback, verifyWebhookSignature } from '../src/webhook.ts';
import { USER_AGENT } from './user-agent.ts';

const HMAC_KEY = 'whsec_test';
const STATE_MS = 25;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: { code: number; msg?: string; message?: string; data: Record<string, unknown> };
}

let emulator: Emulator;
let kie: KieClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  const timing = { waitingMs: STATE_MS, queuingMs: STATE_MS, generatingMs: STATE_MS };
  [emulator, receiver] = await Promise.all([
    startEmulator({ webhookHmacKey: HMAC_KEY, timing }),
    startReceiver(),
  ]);
  kie = clientOf(emulator);
});
afterAll(() => Promise.all([emulator.close(), receiver.close()]));

describe('task lifecycle', () => {
  it('moves waiting → queuing → generating → success, then names a character', async () => {
    // States long enough for polling to see each one even on a busy machine (at a load of 20 on
    // two cores, 150 ms went by before the first read more than once).
    const timing = { waitingMs: 500, queuingMs: 500, generatingMs: 500 };
    await withEmulator({ timing }, async (slow) => {
      const kieSlow = clientOf(slow);
      const { taskId } = await kieSlow.createTask(request());
      const states: ProviderTaskState[] = [];
      for (;;) {
        const { state } = await kieSlow.recordInfo(taskId);
        if (states.at(-1) !== state) states.push(state);
        if (state === 'success' || state === 'fail') break;
        await sleep(5);
      }
      expect(states).toEqual(['waiting', 'queuing', 'generating', 'success']);
      const record = await kieSlow.recordInfo(taskId);
      expect(record.completeTime).toBeGreaterThanOrEqual((record.createTime ?? 0) + 3 * 500 - 5);
      expect(parseCharacterResult(record.resultJson ?? '').characterId).toMatch(/^char_[0-9a-f]+$/);
    });
  });

  it.each([
    ['character_id', /^\{"character_id":"char_[0-9a-f]+"\}$/],
    ['character_id_list', /^\{"character_id_list":"char_[0-9a-f]+"\}$/],
    ['character_id_list_array', /^\{"character_id_list":\["char_[0-9a-f]+"\]\}$/],
  ] as const)('ends with a result in the %s form when steered', async (resultForm, shape) => {
    emulator.setNextOutcome({ state: 'success', resultForm });
    const { taskId } = await create();
    const record = await ended(taskId);
    expect(record.resultJson).toMatch(shape);
    expect(parseCharacterResult(record.resultJson ?? '').characterId).toMatch(/^char_/);
  });

  it('ends as failed when steered, with the failure recorded', async () => {
    emulator.setNextOutcome({ state: 'fail', failCode: 'CONTENT_POLICY', failMsg: 'moderated' });
    const { taskId } = await create();
    expect(await ended(taskId)).toMatchObject({
      state: 'fail',
      failCode: 'CONTENT_POLICY',
      failMsg: 'moderated',
      resultJson: null,
    });
  });
});

describe('completion callbacks', () => {
  it('posts a signed callback in the documented shape', async () => {
    const { taskId } = await create({ callback: true });
    const [delivery] = await deliveries(taskId, 1);
    if (!delivery) throw new Error('no callback');

    const { headers, body } = delivery;
    expect(headers['content-type']).toBe('application/json');
    const timestamp = String(headers['x-webhook-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const signature = String(headers['x-webhook-signature']);
    expect(verifyWebhookSignature({ taskId, timestamp, signature, key: HMAC_KEY })).toEqual({
      ok: true,
    });
    expect(verifyWebhookSignature({ taskId, timestamp, signature, key: 'other' })).toMatchObject({
      ok: false,
    });

    expect(body).toMatchObject({ code: 200, msg: 'Playground task completed successfully.' });
    expect(body.data).toMatchObject({
      taskId,
      model: 'sora-2-characters',
      state: 'success',
      failCode: '',
      failMsg: '',
      consumeCredits: 10,
    });
    for (const key of ['remainedCredits', 'costTime', 'createTime', 'completeTime', 'updateTime']) {
      expect(body.data[key]).toBeTypeOf('number');
    }
    expect(JSON.parse(String(body.data.param))).toMatchObject({ model: 'sora-2-characters' });
    expect(parseCallback(body)).toMatchObject({ taskId, code: 200, record: { state: 'success' } });
  });

  it('can name the task task_id', async () => {
    emulator.setNextOutcome({ state: 'success', taskIdKey: 'task_id' });
    const { taskId } = await create({ callback: true });
    const [delivery] = await deliveries(taskId, 1);
    expect(delivery?.body.data.task_id).toBe(taskId);
    expect(delivery?.body.data).not.toHaveProperty('taskId');
    expect(parseCallback(delivery?.body)?.taskId).toBe(taskId);
  });

  it('reports a failure with a non-200 code, under `message` when steered', async () => {
    emulator.setEnvelopeKey('message');
    emulator.setNextOutcome({ state: 'fail', failCode: 'X1', failMsg: 'no face found' });
    try {
      const { taskId } = await create({ callback: true });
      const [delivery] = await deliveries(taskId, 1);
      expect(delivery?.body).toMatchObject({
        code: 501,
        message: 'Generation failed: no face found',
      });
      expect(parseCallback(delivery?.body)?.record).toMatchObject({
        state: 'fail',
        failCode: 'X1',
        failMsg: 'no face found',
      });
    } finally {
      emulator.setEnvelopeKey('msg');
    }
  });

  it('sends a callback twice in duplicate mode and never in drop mode', async () => {
    try {
      emulator.setCallbackMode('duplicate');
      const duplicated = await create({ callback: true });
      const [first, second] = await deliveries(duplicated.taskId, 2);
      expect(second?.body).toEqual(first?.body);

      emulator.setCallbackMode('drop');
      const dropped = await create({ callback: true });
      await ended(dropped.taskId);
      await sleep(50);
      expect(receiver.deliveriesOf(dropped.taskId)).toEqual([]);
    } finally {
      emulator.setCallbackMode('deliver');
    }
  });

  it('ends a running task at once with failTask', async () => {
    const { taskId } = await create({ callback: true });
    emulator.failTask(taskId, 'MANUAL', 'stopped by a test');
    expect(emulator.task(taskId)?.record).toMatchObject({ state: 'fail', failCode: 'MANUAL' });
    const [delivery] = await deliveries(taskId, 1);
    expect(delivery?.body.data).toMatchObject({ state: 'fail', failMsg: 'stopped by a test' });
    expect(() => emulator.failTask(taskId, 'X', 'y')).toThrow('has already ended');
    expect(() => emulator.failTask('task_none', 'X', 'y')).toThrow('no task task_none');
  });

  it('leaves callbacks unsigned without a key, and ignores a receiver that is down', async () => {
    await withEmulator(
      { timing: { waitingMs: 1, queuingMs: 1, generatingMs: 1 } },
      async (other) => {
        const kieOther = clientOf(other);
        const unsigned = await kieOther.createTask(request(`${receiver.url}/cb`));
        const [delivery] = await deliveries(unsigned.taskId, 1);
        expect(delivery?.headers).not.toHaveProperty('x-webhook-signature');
        expect(delivery?.headers).not.toHaveProperty('x-webhook-timestamp');

        const lost = await kieOther.createTask(request('http://127.0.0.1:1/cb'));
        await vi.waitFor(() => expect(other.task(lost.taskId)?.record.state).toBe('success'));
      },
    );
  });
});

describe('the HTTP surface', () => {
  it('records every call with its JSON body', async () => {
    const before = emulator.calls.length;
    const body = request();
    await kie.createTask(body);
    await kie.credit();
    const calls = emulator.calls.slice(before);
    expect(calls.map((call) => call.route)).toEqual(['createTask', 'credit']);
    expect(calls[0]?.body).toEqual(body);
    expect(calls[1]).not.toHaveProperty('body');
    expect(calls[0]?.at).toBeLessThanOrEqual(Date.now());
  });

  it('holds a call for delayNext', async () => {
    emulator.delayNext('credit', 80);
    const started = performance.now();
    await kie.credit();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('answers a stubbed body as it is, as a proxy in front of kie.ai would', async () => {
    emulator.failNext('credit', { body: '<html>Bad Gateway</html>', httpStatus: 502 });
    const answer = await fetch(`${emulator.url}/api/v1/chat/credit`, {
      headers: { 'user-agent': USER_AGENT },
    });
    expect(answer.status).toBe(502);
    expect(await answer.text()).toBe('<html>Bad Gateway</html>');
  });

  it('answers unknown routes and files with 404', async () => {
    for (const path of ['/api/v1/nothing', '/files/characters/missing.mp4', '/files/%E0%A4%A']) {
      const response = await fetch(`${emulator.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 404 });
    }
  });

  it('refuses uploads it cannot store', async () => {
    const upload = async (body: string | FormData, headers?: Record<string, string>) => {
      const url = `${emulator.url}/api/file-stream-upload`;
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'user-agent': USER_AGENT, ...headers },
      });
      return response.json();
    };
    const form = (fields: Record<string, string | Blob>) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) data.append(name, value);
      return data;
    };
    const file = new Blob(['x']);
    expect(await upload('not a form')).toMatchObject({ success: false, code: 422 });
    expect(await upload(form({ uploadPath: 'a' }))).toMatchObject({ msg: 'file is required' });
    expect(await upload(form({ file }))).toMatchObject({ msg: 'uploadPath is required' });
    expect(await upload(form({ file, uploadPath: 'a/../..', fileName: 'b' }))).toMatchObject({
      code: 422,
      msg: 'uploadPath and fileName must not step out of their folder',
    });
    // FormData cannot send a file part with an empty name; kie.ai's clients could.
    const unnamed = [
      '--B',
      'Content-Disposition: form-data; name="file"; filename=""',
      '',
      'x',
      '--B',
      'Content-Disposition: form-data; name="uploadPath"',
      '',
      'a',
      '--B--',
      '',
    ].join('\r\n');
    expect(
      await upload(unnamed, { 'content-type': 'multipart/form-data; boundary=B' }),
    ).toMatchObject({ msg: 'fileName is required' });
    // A Blob without a name is sent as "blob", which is a name.
    expect(await upload(form({ file, uploadPath: 'a' }))).toMatchObject({
      success: true,
      data: { filePath: 'a/blob' },
    });
  });

  it('checks the API key when it has one', async () => {
    await withEmulator({ apiKey: 'the-key' }, async (keyed) => {
      const credit = (headers: Record<string, string>) =>
        fetch(`${keyed.url}/api/v1/chat/credit`, {
          headers: { 'user-agent': USER_AGENT, ...headers },
        }).then((response) => response.json());
      expect(await credit({})).toMatchObject({ code: 401 });
      expect(await credit({ authorization: 'Bearer other' })).toMatchObject({ code: 401 });
      expect(await credit({ authorization: 'Bearer the-key' })).toEqual({
        code: 200,
        msg: 'success',
        data: 1000,
      });
    });
  });

  it('closes cleanly with requests held and tasks running', async () => {
    const other = await startEmulator();
    await clientOf(other).createTask(request(`${receiver.url}/cb`));
    other.delayNext('credit', 60_000);
    const held = fetch(`${other.url}/api/v1/chat/credit`, {
      headers: { 'user-agent': USER_AGENT },
    });
    await vi.waitFor(() => expect(other.calls).toHaveLength(2));
    await other.close();
    await expect(held).rejects.toThrow();
    await expect(other.close()).resolves.toBeUndefined();
    await expect(fetch(`${other.url}/api/v1/chat/credit`)).rejects.toThrow();
  });
});

function clientOf(target: Emulator): KieClient {
  return new KieClient({
    apiKey: 'any',
    apiBaseUrl: target.url,
    uploadBaseUrl: target.url,
    userAgent: USER_AGENT,
    retries: 0,
  });
}

function request(callBackUrl?: string) {
  return {
    model: 'sora-2-characters',
    input: { character_file_url: ['https://videos.test/a.mp4'] },
    callBackUrl,
  };
}

function create(options: { callback?: boolean } = {}) {
  return kie.createTask(request(options.callback ? `${receiver.url}/cb` : undefined));
}

async function ended(taskId: string) {
  await vi.waitFor(
    () => expect(['success', 'fail']).toContain(emulator.task(taskId)?.record.state),
    { timeout: 2000, interval: 5 },
  );
  return kie.recordInfo(taskId);
}

async function deliveries(taskId: string, count: number): Promise<Delivery[]> {
  await vi.waitFor(() => expect(receiver.deliveriesOf(taskId)).toHaveLength(count), {
    timeout: 2000,
    interval: 5,
  });
  return receiver.deliveriesOf(taskId);
}

async function withEmulator(options: EmulatorOptions, run: (emulator: Emulator) => Promise<void>) {
  const other = await startEmulator(options);
  try {
    await run(other);
  } finally {
    await other.close();
  }
}

/** A stand-in for the gateway's webhook route: it keeps every callback it receives. */
async function startReceiver() {
  const received: Delivery[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveriesOf: (taskId: string) =>
      received.filter(({ body }) => (body.data.taskId ?? body.data.task_id) === taskId),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
