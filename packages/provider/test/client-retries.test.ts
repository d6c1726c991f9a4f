import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type KieCallEvent, KieClient, type KieClientOptions } from '../src/client.ts';
import { type Emulator, type EmulatorRoute, startEmulator } from '../src/emulator/index.ts';
import { providerErrorOf } from './provider-error.ts';
import { USER_AGENT } from './user-agent.ts';

const API_KEY = 'kie-test-key-retries';
/** For the timeout tests only: other calls get time enough for a busy machine. */
const TIMEOUT_MS = 250;

let emulator: Emulator;
let events: KieCallEvent[];

function client(options: Partial<KieClientOptions> = {}) {
  return new KieClient({
    apiKey: API_KEY,
    apiBaseUrl: emulator.url,
    uploadBaseUrl: emulator.url,
    userAgent: USER_AGENT,
    timeoutMs: 5_000,
    retries: 3,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 4,
    onCall: (event) => events.push(event),
    ...options,
  });
}

const createCharacter = (kie: KieClient) =>
  kie.createTask({
    model: 'sora-2-characters',
    input: { character_file_url: ['https://videos.test/a.mp4'] },
  });

/** Counts the calls a route receives while `run` runs. */
async function callsDuring(route: EmulatorRoute, run: () => Promise<unknown>): Promise<number> {
  const count = () => emulator.calls.filter((call) => call.route === route).length;
  const before = count();
  await run().catch(() => undefined);
  return count() - before;
}

const outcomes = () => events.map((event) => [event.attempt, event.error?.code ?? 'ok']);

beforeAll(async () => {
  const timing = { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 };
  emulator = await startEmulator({ apiKey: API_KEY, timing });
});
afterAll(() => emulator.close());
beforeEach(() => {
  events = [];
});

describe('createTask retries', () => {
  it('retries a 429 and makes one task', async () => {
    emulator.setCredits(1000);
    emulator.failNext('createTask', { code: 429 });
    let taskId = '';
    const calls = await callsDuring('createTask', async () => {
      ({ taskId } = await createCharacter(client()));
    });
    expect(calls).toBe(2);
    expect(outcomes()).toEqual([
      [1, 'RATE_LIMITED'],
      [2, 'ok'],
    ]);
    expect(emulator.task(taskId)).toBeDefined();
    expect(await client().credit()).toBe(990);
  });

  it.each([
    [500, 'SERVER_ERROR', true],
    [455, 'MAINTENANCE', true],
    [500, 'MODEL_PAUSED', false, 'This interface is temporarily paused'],
  ] as const)('does not retry a refusal: %i %s', async (code, name, retryable, msg?: string) => {
    emulator.failNext('createTask', { code, msg, httpStatus: code });
    const calls = await callsDuring('createTask', async () => {
      expect(await providerErrorOf(createCharacter(client()))).toMatchObject({
        code: name,
        retryable,
        refused: true,
      });
    });
    expect(calls).toBe(1);
  });

  it('does not retry a timeout: the task may exist', async () => {
    emulator.delayNext('createTask', TIMEOUT_MS * 4);
    const calls = await callsDuring('createTask', async () => {
      const error = await providerErrorOf(createCharacter(client({ timeoutMs: TIMEOUT_MS })));
      expect(error).toMatchObject({ code: 'SERVER_ERROR', retryable: false, refused: false });
      expect(error.providerCode).toBeUndefined();
      expect(error.message).toBe(
        `kie.ai did not answer createTask within ${TIMEOUT_MS} ms; the task may exist`,
      );
    });
    expect(calls).toBe(1);
  });

  it('does not retry a connection lost after sending: the task may exist', async () => {
    emulator.resetNext('createTask');
    const calls = await callsDuring('createTask', async () => {
      const error = await providerErrorOf(createCharacter(client()));
      expect(error).toMatchObject({ code: 'SERVER_ERROR', retryable: false, refused: false });
      expect(error.message).toMatch(
        /^kie\.ai connection lost during createTask: .+; the task may exist$/,
      );
    });
    expect(calls).toBe(1);
  });
});

describe('read retries', () => {
  it('retries 455 and 500 on recordInfo, then succeeds', async () => {
    const { taskId } = await createCharacter(client());
    events = [];
    emulator.failNext('recordInfo', { code: 455 });
    emulator.failNext('recordInfo', { code: 500, httpStatus: 500 });
    let state = '';
    const calls = await callsDuring('recordInfo', async () => {
      ({ state } = await client().recordInfo(taskId));
    });
    expect(state).toBe('waiting');
    expect(calls).toBe(3);
    expect(outcomes()).toEqual([
      [1, 'MAINTENANCE'],
      [2, 'SERVER_ERROR'],
      [3, 'ok'],
    ]);
  });

  it('gives up after the configured retries', async () => {
    emulator.failNext('credit', { code: 429 }, 4);
    const calls = await callsDuring('credit', async () => {
      expect(await providerErrorOf(client().credit())).toMatchObject({ code: 'RATE_LIMITED' });
    });
    expect(calls).toBe(4);
    expect(events.map((event) => event.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('does not retry what cannot pass', async () => {
    emulator.failNext('credit', { code: 505 });
    expect(await callsDuring('credit', () => client().credit())).toBe(1);
  });

  it('retries a timeout', async () => {
    emulator.delayNext('credit', TIMEOUT_MS * 4);
    expect(await client({ timeoutMs: TIMEOUT_MS }).credit()).toBeTypeOf('number');
    expect(outcomes()).toEqual([
      [1, 'SERVER_ERROR'],
      [2, 'ok'],
    ]);
    expect(events[0]?.error).toMatchObject({
      retryable: true,
      message: `kie.ai did not answer credit within ${TIMEOUT_MS} ms`,
    });
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });

  it('retries a connection reset', async () => {
    emulator.resetNext('credit');
    expect(await client().credit()).toBeTypeOf('number');
    expect(events[0]?.error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
    expect(events[0]?.error?.message).toMatch(/^kie\.ai connection lost during credit: /);
    expect(events[1]?.error).toBeUndefined();
  });

  it('retries uploads like reads', async () => {
    emulator.failNext('upload', { code: 500 });
    emulator.resetNext('upload');
    const file = { data: new Uint8Array([1, 2, 3]), fileName: 'a.bin', uploadPath: 'x' };
    const calls = await callsDuring('upload', async () => {
      expect(await client().uploadFile(file)).toMatchObject({ fileSize: 3 });
    });
    expect(calls).toBe(3);
  });
});

describe('an unreachable kie.ai', () => {
  it('is SERVER_ERROR, retryable, and retried even for createTask', async () => {
    const url = await closedPortUrl();
    const kie = client({ apiBaseUrl: url });
    const error = await providerErrorOf(createCharacter(kie));
    expect(error).toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
      refused: true,
      message: 'kie.ai unreachable: ECONNREFUSED',
    });
    expect(error.providerCode).toBeUndefined();
    expect(events.map((event) => event.attempt)).toEqual([1, 2, 3, 4]);
  });
});

describe("the caller's signal", () => {
  it('cancels a call in flight with its reason, without retrying', async () => {
    emulator.delayNext('credit', 2_000);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const arrived = emulator.calls.length;
    const calls = await callsDuring('credit', async () => {
      const call = client().credit({ signal: controller.signal });
      // Aborted once kie.ai has the call, however long the machine took to send it.
      await vi.waitUntil(() => emulator.calls.length > arrived, { timeout: 5_000, interval: 5 });
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
    });
    expect(calls).toBe(1);
    expect(events).toEqual([]);
  });

  it('stops pending retries', async () => {
    emulator.failNext('credit', { code: 429 }, 2);
    const controller = new AbortController();
    const kie = client({
      retryMinDelayMs: 1000,
      retryMaxDelayMs: 1000,
      onCall: () => controller.abort(new Error('stop')),
    });
    await expect(kie.credit({ signal: controller.signal })).rejects.toThrow('stop');
    // The second stubbed 429 is still queued: no retry consumed it. Use it up.
    expect(await providerErrorOf(client({ retries: 0 }).credit())).toMatchObject({
      code: 'RATE_LIMITED',
    });
  });
});

/** A URL nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('attempt hooks', () => {
  it('awaits beforeAttempt before each attempt and beforeRetry before each wait', async () => {
    emulator.setCredits(1000);
    emulator.failNext('createTask', { code: 429 }, 2);
    const seen: string[] = [];
    const calls = await callsDuring('createTask', () =>
      client().createTask(
        {
          model: 'sora-2-characters',
          input: { character_file_url: ['https://videos.test/a.mp4'] },
        },
        {
          beforeAttempt: async (attempt) => {
            seen.push(`attempt ${attempt}`);
          },
          beforeRetry: async (error) => {
            seen.push(`retry after ${error.code}`);
          },
        },
      ),
    );
    expect(calls).toBe(3);
    expect(seen).toEqual([
      'attempt 1',
      'retry after RATE_LIMITED',
      'attempt 2',
      'retry after RATE_LIMITED',
      'attempt 3',
    ]);
  });

  it('sends nothing when beforeAttempt refuses, and rejects with its error', async () => {
    const refusal = new Error('not mine to send');
    let outcome: unknown;
    const calls = await callsDuring('createTask', async () => {
      outcome = await client()
        .createTask(
          {
            model: 'sora-2-characters',
            input: { character_file_url: ['https://videos.test/a.mp4'] },
          },
          { beforeAttempt: () => Promise.reject(refusal) },
        )
        .catch((error: unknown) => error);
    });
    expect(outcome).toBe(refusal);
    expect(calls).toBe(0);
  });
});
