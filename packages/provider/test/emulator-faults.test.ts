import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, runScript, startScript } from '@charanim/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Emulator,
  type EmulatorFaults,
  type EmulatorStats,
  type EmulatorTaskListing,
  parseFaultsJson,
  startEmulator,
} from '../src/emulator/index.ts';
import { USER_AGENT } from './user-agent.ts';

const API_KEY = 'chaos-key';
const STATE_MS = 5;
const timing = { waitingMs: STATE_MS, queuingMs: STATE_MS, generatingMs: STATE_MS };

interface Delivery {
  at: number;
  body: { code: number; msg?: string; data: Record<string, unknown> };
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('callback faults', () => {
  it('never sends a callback at callbackDropRate 1', async () => {
    await withEmulator({ seed: 1, callbackDropRate: 1 }, async (emulator) => {
      const taskId = await createTask(emulator, receiver.url);
      await ended(emulator, taskId);
      await sleep(60);
      expect(receiver.deliveriesOf(taskId)).toEqual([]);
      expect(listed(emulator, taskId)?.callbacks).toEqual({
        sent: 0,
        dropped: 1,
        delivered: 0,
        failed: 0,
        pending: 0,
        attempts: 0,
      });
      expect(emulator.stats().faults.callbackDropped).toBe(1);
    });
  });

  it('sends two identical callbacks at callbackDuplicateRate 1', async () => {
    await withEmulator({ seed: 1, callbackDuplicateRate: 1 }, async (emulator) => {
      const taskId = await createTask(emulator, receiver.url);
      const [first, second] = await deliveries(taskId, 2);
      expect(second?.body).toEqual(first?.body);
      expect(first?.body).toMatchObject({ code: 200, data: { taskId, state: 'success' } });
      await vi.waitFor(() =>
        expect(listed(emulator, taskId)?.callbacks).toMatchObject({ sent: 2, delivered: 2 }),
      );
      expect(emulator.stats().faults.callbackDuplicated).toBe(1);
    });
  });

  it('sends each callback once at rates 0', async () => {
    const faults = { seed: 1, callbackDropRate: 0, callbackDuplicateRate: 0, failRate: 0 };
    await withEmulator(faults, async (emulator) => {
      const taskIds = [
        await createTask(emulator, receiver.url),
        await createTask(emulator, receiver.url),
      ];
      for (const taskId of taskIds) await deliveries(taskId, 1);
      await sleep(80); // the gap a duplicate would have come after
      for (const taskId of taskIds) {
        expect(receiver.deliveriesOf(taskId)).toHaveLength(1);
        expect(listed(emulator, taskId)?.state).toBe('success');
      }
      expect(emulator.stats().faults).toMatchObject({
        callbackDropped: 0,
        callbackDuplicated: 0,
        taskFailed: 0,
      });
    });
  });

  it('reorders callbacks with callbackDelayMs: the first task draws the longer delay', async () => {
    // With seed 11 the first callback draws about 183 ms and the second about 5 ms. This is tied
    // to the callback stream's draws (drop, duplicate, then a delay for each possible copy): if
    // that order changes, pick a seed again.
    await withEmulator({ seed: 11, callbackDelayMs: [0, 200] }, async (emulator) => {
      const first = await createTask(emulator, receiver.url);
      const second = await createTask(emulator, receiver.url);
      const [late] = await deliveries(first, 1, 1000);
      const [early] = await deliveries(second, 1);
      if (!late || !early) throw new Error('missing callback');
      expect(early.at).toBeLessThan(late.at);
      const firstEnd = listed(emulator, first)?.completeTime ?? 0;
      expect(late.at - firstEnd).toBeGreaterThanOrEqual(150);
    });
  });

  it('retries a refused callback with callbackRetry and delivers it on the 3rd attempt', async () => {
    const refusing = await startReceiver((n) => (n <= 2 ? 503 : 200));
    const down = await startReceiver(() => 503);
    try {
      const faults = { seed: 1, callbackRetry: { attempts: 5, delayMs: 20 } };
      await withEmulator(faults, async (emulator) => {
        const taskId = await createTask(emulator, refusing.url);
        await vi.waitFor(() =>
          expect(listed(emulator, taskId)?.callbacks).toEqual({
            sent: 1,
            dropped: 0,
            delivered: 1,
            failed: 0,
            pending: 0,
            attempts: 3,
          }),
        );
        expect(refusing.deliveriesOf(taskId)).toHaveLength(3);
      });
      // Without callbackRetry the first refusal is final.
      await withEmulator({ seed: 1 }, async (emulator) => {
        const taskId = await createTask(emulator, down.url);
        await vi.waitFor(() =>
          expect(listed(emulator, taskId)?.callbacks).toMatchObject({ failed: 1, attempts: 1 }),
        );
        await sleep(40);
        expect(down.deliveriesOf(taskId)).toHaveLength(1);
      });
    } finally {
      await Promise.all([refusing.close(), down.close()]);
    }
  });

  it('retries while the receiver is down and delivers once it is up', async () => {
    const port = await freePort();
    const faults = { seed: 1, callbackRetry: { attempts: 10, delayMs: 30 } };
    await withEmulator(faults, async (emulator) => {
      const taskId = await createTask(emulator, `http://127.0.0.1:${port}/cb`);
      await vi.waitFor(() =>
        expect(listed(emulator, taskId)?.callbacks.attempts).toBeGreaterThanOrEqual(1),
      );
      const late = await startReceiver(undefined, port);
      try {
        await vi.waitFor(() => expect(late.deliveriesOf(taskId)).toHaveLength(1));
        expect(listed(emulator, taskId)?.callbacks).toMatchObject({ delivered: 1, pending: 0 });
      } finally {
        await late.close();
      }
    });
  });
});

describe('call faults', () => {
  it('answers calls 4 and 5 with 429 for rateLimitBursts every 3, length 2', async () => {
    await withEmulator({ seed: 1, rateLimitBursts: { every: 3, length: 2 } }, async (emulator) => {
      const taskId = await createTask(emulator); // 1
      const codes = [
        (await api(emulator, 'credit')).code, // 2
        (await api(emulator, 'recordInfo', taskId)).code, // 3
        (await api(emulator, 'createTask')).code, // 4
        (await api(emulator, 'credit')).code, // 5
        (await api(emulator, 'credit')).code, // 6
        (await api(emulator, 'credit')).code, // 7
        (await api(emulator, 'credit')).code, // 8
        (await api(emulator, 'credit')).code, // 9
      ];
      expect(codes).toEqual([200, 200, 429, 429, 200, 200, 200, 429]);
      expect(await api(emulator, 'credit')).toMatchObject({ code: 429, msg: 'rate limited' });
      expect(emulator.listTasks().map((task) => task.taskId)).toEqual([taskId]);
      expect(emulator.stats().faults.rateLimited).toBe(4);
    });
  });

  it('answers recordInfo with 455 at maintenanceRate 1, and leaves createTask alone', async () => {
    await withEmulator({ seed: 1, maintenanceRate: 1 }, async (emulator) => {
      const taskId = await createTask(emulator);
      expect(await api(emulator, 'recordInfo', taskId)).toMatchObject({ code: 455 });
      expect(await api(emulator, 'credit')).toMatchObject({ code: 200 });
      expect(emulator.stats().faults.maintenance).toBe(1);
    });
  });

  it('resets recordInfo and credit at resetRate 1, never createTask', async () => {
    await withEmulator({ seed: 1, resetRate: 1 }, async (emulator) => {
      const taskId = await createTask(emulator);
      await expect(api(emulator, 'recordInfo', taskId)).rejects.toThrow();
      await expect(api(emulator, 'credit')).rejects.toThrow();
      expect(emulator.listTasks()).toHaveLength(1);
      expect(emulator.stats().faults.reset).toBe(2);
    });
  });

  it('holds calls for slowMs at slowRate 1, and still makes the task of a caller that gave up', async () => {
    await withEmulator({ seed: 1, slowRate: 1, slowMs: 120 }, async (emulator) => {
      const started = performance.now();
      expect(await api(emulator, 'credit')).toMatchObject({ code: 200 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);

      const abandoned = fetch(`${emulator.url}/api/v1/jobs/createTask`, {
        method: 'POST',
        headers: apiHeaders,
        body: JSON.stringify(createBody()),
        signal: AbortSignal.timeout(30),
      });
      await expect(abandoned).rejects.toThrow();
      await sleep(150);
      // As a real server would: the caller learns of it only through its callback.
      expect(emulator.listTasks()).toHaveLength(1);
      expect(emulator.stats()).toMatchObject({
        calls: { createTask: 1, credit: 1 },
        faults: { slow: 2 },
      });
    });
  });

  it('ends tasks as failed at failRate 1', async () => {
    await withEmulator({ seed: 1, failRate: 1 }, async (emulator) => {
      const taskId = await createTask(emulator, receiver.url);
      const [delivery] = await deliveries(taskId, 1);
      expect(delivery?.body).toMatchObject({
        code: 501,
        data: { taskId, state: 'fail', failCode: '500', failMsg: 'emulated generation failure' },
      });
      expect(listed(emulator, taskId)).toMatchObject({
        state: 'fail',
        failCode: '500',
        failMsg: 'emulated generation failure',
        resultJson: null,
      });
      expect(emulator.stats()).toMatchObject({
        faults: { taskFailed: 1 },
        tasks: { fail: 1, total: 1 },
      });
    });
  });

  it('gives the same faults for the same seed, and other faults for another', async () => {
    const pattern = async (seed: number) =>
      withEmulator({ seed, maintenanceRate: 0.5 }, async (emulator) => {
        const codes: number[] = [];
        for (let i = 0; i < 24; i++) codes.push((await api(emulator, 'recordInfo', 'x')).code);
        return codes;
      });
    const first = await pattern(42);
    expect(new Set(first)).toEqual(new Set([404, 455]));
    expect(await pattern(42)).toEqual(first);
    expect(await pattern(43)).not.toEqual(first);
  });

  it('lets steering take precedence over random faults', async () => {
    const faults = { seed: 1, maintenanceRate: 1, failRate: 1, callbackDropRate: 1 };
    await withEmulator(faults, async (emulator) => {
      emulator.failNext('recordInfo', { code: 500, msg: 'steered' });
      emulator.setNextOutcome({ state: 'success' });
      emulator.setCallbackMode('deliver');
      const taskId = await createTask(emulator, receiver.url);
      expect(await api(emulator, 'recordInfo', taskId)).toMatchObject({
        code: 500,
        msg: 'steered',
      });
      expect(await api(emulator, 'recordInfo', taskId)).toMatchObject({ code: 455 });
      const [delivery] = await deliveries(taskId, 1);
      expect(delivery?.body.data).toMatchObject({ state: 'success' });
      expect(emulator.stats().faults).toMatchObject({
        maintenance: 1,
        taskFailed: 0,
        callbackDropped: 0,
      });
    });
  });

  it('refuses invalid faults before listening', async () => {
    await expect(startEmulator({ faults: { failRate: 2 } })).rejects.toThrow(TypeError);
  });
});

describe('introspection', () => {
  it('lists the accepted tasks only, without an API key and without faults', async () => {
    const faults: EmulatorFaults = {
      seed: 1,
      rateLimitBursts: { every: 2, length: 1 },
      resetRate: 1,
      maintenanceRate: 1,
      callbackDropRate: 1,
    };
    await withEmulator(faults, async (emulator) => {
      const accepted = await createTask(emulator, receiver.url); // call 1
      const invalid = await api(emulator, 'createTask', undefined, { model: 'nope' }); // call 2
      expect(invalid).toMatchObject({ code: 500, msg: 'The model nope is not supported' });
      expect(await api(emulator, 'createTask')).toMatchObject({ code: 429 }); // call 3
      emulator.setCredits(0);
      expect(await api(emulator, 'createTask')).toMatchObject({ code: 402 }); // call 4
      await ended(emulator, accepted);

      const callsBefore = emulator.calls.length;
      const response = await fetch(`${emulator.url}/emulator/tasks`);
      expect(response.status).toBe(200);
      const { tasks } = (await response.json()) as { tasks: EmulatorTaskListing[] };
      expect(tasks).toEqual([
        {
          taskId: accepted,
          model: 'sora-2-characters',
          state: 'success',
          failCode: null,
          failMsg: null,
          resultJson: expect.stringMatching(/^\{"character_id":"char_/),
          callBackUrl: `${receiver.url}/cb`,
          createTime: expect.any(Number),
          completeTime: expect.any(Number),
          callbacks: { sent: 0, dropped: 1, delivered: 0, failed: 0, pending: 0, attempts: 0 },
        },
      ]);
      expect(emulator.calls.length).toBe(callsBefore);
    });
  });

  it('counts calls per route and faults by kind', async () => {
    const faults = { seed: 5, rateLimitBursts: { every: 4, length: 1 }, maintenanceRate: 1 };
    await withEmulator(faults, async (emulator) => {
      const taskId = await createTask(emulator);
      await api(emulator, 'recordInfo', taskId);
      await api(emulator, 'recordInfo', taskId);
      await api(emulator, 'credit');
      await api(emulator, 'credit'); // the 5th call: rate limited
      await ended(emulator, taskId);
      const response = await fetch(`${emulator.url}/emulator/stats`);
      const stats = (await response.json()) as EmulatorStats;
      expect(stats).toEqual({
        seed: 5,
        calls: { createTask: 1, recordInfo: 2, credit: 2, upload: 0, immediate: 0, downloadUrl: 0 },
        faults: {
          rateLimited: 1,
          maintenance: 2,
          slow: 0,
          reset: 0,
          taskFailed: 0,
          callbackDropped: 0,
          callbackDuplicated: 0,
        },
        tasks: { waiting: 0, queuing: 0, generating: 0, success: 1, fail: 0, total: 1 },
        callbacks: { sent: 0, dropped: 0, delivered: 0, failed: 0, pending: 0, attempts: 0 },
        // An injected 429 answers before the create limit counts the call.
        creates: { limit: 20, mostIn10s: 1, dropped: 0 },
      });
    });
    await withEmulator({}, async (emulator) => {
      expect(emulator.stats().seed).toEqual(expect.any(Number));
    });
  });
});

describe('EMULATOR_FAULTS', () => {
  it('parses a JSON object and says what is wrong with a bad one', () => {
    expect(parseFaultsJson('{"seed":7,"callbackDelayMs":[10,20],"failRate":0.5}')).toEqual({
      seed: 7,
      callbackDelayMs: [10, 20],
      failRate: 0.5,
    });
    expect(parseFaultsJson('{seed')).toMatch(/^not JSON/);
    expect(parseFaultsJson('{"failRate":2}')).toMatch(/failRate/);
    expect(parseFaultsJson('{"dropRate":0.1}')).toMatch(/dropRate/);
    expect(parseFaultsJson('{"callbackDelayMs":[20,10]}')).toMatch(/min ≤ max/);
    expect(parseFaultsJson('{"rateLimitBursts":{"every":0,"length":1}}')).toMatch(/every/);
    expect(parseFaultsJson('[]')).toEqual(expect.any(String));
  });

  it('is read by main.ts: a bad value exits 1 with a message, a good one is applied', async () => {
    const main = 'packages/provider/src/emulator/main.ts';
    const bad = runScript(main, { env: { EMULATOR_FAULTS: '{"failRate":2}' } });
    const good = startScript(main, { env: { EMULATOR_FAULTS: '{"seed":7,"maintenanceRate":1}' } });
    let answers: unknown[];
    try {
      const [, url] = await good.printed(/listening on (\S+)/);
      const record = await fetch(`${url}/api/v1/jobs/recordInfo?taskId=x`, {
        headers: { 'user-agent': USER_AGENT },
      });
      const stats = await fetch(`${url}/emulator/stats`);
      answers = [await record.json(), await stats.json()];
    } finally {
      await good.stop();
    }
    const { code, stderr } = await bad;
    expect(code).toBe(1);
    expect(stderr).toContain('bad EMULATOR_FAULTS');
    expect(stderr).toContain('failRate');
    const { stdout } = await good.ended;
    expect(stdout).toContain('kie.ai emulator listening on http://127.0.0.1:');
    expect(stdout).toContain('"seed":7');
    expect(answers).toEqual([
      expect.objectContaining({ code: 455 }),
      expect.objectContaining({ seed: 7, faults: expect.objectContaining({ maintenance: 1 }) }),
    ]);
  });
});

describe('EMULATOR_PAUSED_MODELS', () => {
  it('is read by main.ts: createTask for those models answers that they are paused', async () => {
    const env = { EMULATOR_PAUSED_MODELS: 'sora-2-characters, sora-2-characters-pro' };
    const emulator = startScript('packages/provider/src/emulator/main.ts', { env });
    let answer: unknown;
    try {
      const [, url] = await emulator.printed(/listening on (\S+)/);
      const reply = await fetch(`${url}${paths.createTask}`, {
        method: 'POST',
        headers: apiHeaders,
        body: JSON.stringify(createBody()),
      });
      answer = await reply.json();
    } finally {
      await emulator.stop();
    }
    const { stdout } = await emulator.ended;
    expect(stdout).toContain(
      'kie.ai emulator paused models: sora-2-characters, sora-2-characters-pro',
    );
    expect(answer).toEqual({
      code: 500,
      msg: 'This interface is temporarily paused',
      data: null,
    });
  });
});

async function withEmulator<T>(
  faults: EmulatorFaults,
  run: (emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ apiKey: API_KEY, timing, faults });
  try {
    return await run(emulator);
  } finally {
    await emulator.close();
  }
}

function createBody(callBackUrl?: string) {
  return {
    model: 'sora-2-characters',
    input: { character_file_url: ['https://videos.test/a.mp4'] },
    ...(callBackUrl && { callBackUrl: `${callBackUrl}/cb` }),
  };
}

const apiHeaders = {
  authorization: `Bearer ${API_KEY}`,
  'content-type': 'application/json',
  'user-agent': USER_AGENT,
};

const paths = {
  createTask: '/api/v1/jobs/createTask',
  recordInfo: '/api/v1/jobs/recordInfo',
  credit: '/api/v1/chat/credit',
} as const;

/** One API call, answered with kie.ai's envelope. */
async function api(
  emulator: Emulator,
  route: keyof typeof paths,
  taskId?: string,
  body: unknown = createBody(),
): Promise<{ code: number; msg?: string; data: any }> {
  const query = taskId === undefined ? '' : `?taskId=${encodeURIComponent(taskId)}`;
  const response = await fetch(`${emulator.url}${paths[route]}${query}`, {
    method: route === 'createTask' ? 'POST' : 'GET',
    headers: apiHeaders,
    ...(route === 'createTask' && { body: JSON.stringify(body) }),
  });
  return (await response.json()) as { code: number; msg?: string; data: any };
}

async function createTask(emulator: Emulator, callBackUrl?: string): Promise<string> {
  const answer = await api(emulator, 'createTask', undefined, createBody(callBackUrl));
  expect(answer).toMatchObject({ code: 200 });
  return answer.data.taskId as string;
}

function listed(emulator: Emulator, taskId: string): EmulatorTaskListing | undefined {
  return emulator.listTasks().find((task) => task.taskId === taskId);
}

async function ended(emulator: Emulator, taskId: string): Promise<void> {
  await vi.waitFor(() => expect(['success', 'fail']).toContain(listed(emulator, taskId)?.state), {
    timeout: 1000,
    interval: 5,
  });
}

async function deliveries(taskId: string, count: number, timeout = 1000): Promise<Delivery[]> {
  await vi.waitFor(() => expect(receiver.deliveriesOf(taskId)).toHaveLength(count), {
    timeout,
    interval: 5,
  });
  return receiver.deliveriesOf(taskId);
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A stand-in for the gateway's webhook route; `status` answers the n-th request (from 1). */
async function startReceiver(status: (n: number) => number = () => 200, port = 0) {
  const received: Delivery[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString()) });
    res.writeHead(status(received.length)).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    deliveriesOf: (taskId: string) => received.filter(({ body }) => body.data.taskId === taskId),
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
