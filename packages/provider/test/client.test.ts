import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KieClient, type KieClientOptions } from '../src/client.ts';
import { type Emulator, startEmulator } from '../src/emulator/index.ts';
import { providerErrorOf } from './provider-error.ts';
import { USER_AGENT } from './user-agent.ts';

const API_KEY = 'kie-test-key-7f3a9c2e';
const VIDEO_URL = 'https://videos.test/character.mp4';

let emulator: Emulator;

function client(options: Partial<KieClientOptions> = {}) {
  return new KieClient({
    apiKey: API_KEY,
    apiBaseUrl: emulator.url,
    uploadBaseUrl: emulator.url,
    userAgent: USER_AGENT,
    retries: 0,
    ...options,
  });
}

const createCharacter = (kie: KieClient, input: Record<string, unknown> = {}) =>
  kie.createTask({
    model: 'sora-2-characters',
    input: { character_file_url: [VIDEO_URL], ...input },
  });

beforeAll(async () => {
  // Long states: these tests look at tasks right after creating them.
  const timing = { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 };
  emulator = await startEmulator({ apiKey: API_KEY, timing });
});
afterAll(() => emulator.close());

beforeEach(() => {
  emulator.setEnvelopeKey('msg');
  emulator.setCredits(1000);
});

describe('KieClient against the emulator', () => {
  it('creates a task, reads it back and pays for it', async () => {
    const kie = client();
    const request = {
      model: 'sora-2-characters',
      input: { character_file_url: [VIDEO_URL], character_prompt: 'a fox' },
      callBackUrl: 'https://gateway.test/webhooks/kie',
    };
    const { taskId } = await kie.createTask(request);
    expect(taskId).toMatch(/^task_sora-2-characters_\d+$/);
    expect(emulator.calls.at(-1)).toMatchObject({ route: 'createTask', body: request });

    const record = await kie.recordInfo(taskId);
    expect(record).toMatchObject({ taskId, model: 'sora-2-characters', state: 'waiting' });
    expect(record.resultJson).toBeNull();
    expect(JSON.parse(record.param ?? '')).toEqual(request);
    expect(await kie.credit()).toBe(990);
  });

  it.each(['msg', 'message'] as const)('reads a success whose message key is %s', async (key) => {
    emulator.setEnvelopeKey(key);
    expect(await client().credit()).toBe(1000);
  });

  it('creates a pro task from an earlier task', async () => {
    const input = { origin_task_id: 'task_1', timestamps: '3.55,5.55', character_prompt: 'a fox' };
    const { taskId } = await client().createTask({ model: 'sora-2-characters-pro', input });
    expect(taskId).toMatch(/^task_sora-2-characters-pro_\d+$/);
  });
});

describe.each([
  // code, our name, retryable (kie.ai's envelope without a task id is a sure refusal of createTask)
  [401, 'UNAUTHORIZED', false],
  [402, 'INSUFFICIENT_CREDITS', false],
  [404, 'NOT_FOUND', false],
  [408, 'UPSTREAM_TIMEOUT', true],
  [422, 'VALIDATION', false],
  [429, 'RATE_LIMITED', true],
  [433, 'USAGE_CAP_EXCEEDED', false],
  [455, 'MAINTENANCE', true],
  [500, 'SERVER_ERROR', true],
  [501, 'GENERATION_FAILED', false],
  [505, 'FEATURE_DISABLED', false],
] as const)('code %i', (code, name, retryable) => {
  const forms = [
    ['in the body of HTTP 200', 'msg', 200],
    ['in the body of HTTP 200', 'message', 200],
    ['as the HTTP status too', 'msg', code],
    ['as the HTTP status too', 'message', code],
  ] as const;

  it.each(forms)('%s, message in `%s`', async (_, key, httpStatus) => {
    emulator.setEnvelopeKey(key);
    const msg = `stubbed ${code}`;
    emulator.failNext('recordInfo', { code, msg, httpStatus });
    emulator.failNext('createTask', { code, msg, httpStatus });

    const read = await providerErrorOf(client().recordInfo('task_x'));
    expect(read).toMatchObject({ name: 'ProviderError', code: name, providerCode: code });
    expect(read.retryable).toBe(retryable);
    expect(read.message).toBe(`kie.ai recordInfo answered ${code}: ${msg}`);

    const create = await providerErrorOf(createCharacter(client()));
    expect(create).toMatchObject({ code: name, providerCode: code, retryable, refused: true });
    expect(create.message).toBe(`kie.ai createTask answered ${code}: ${msg}`);
  });
});

describe('kie.ai-side failures of the emulator', () => {
  it('answers an unknown task with NOT_FOUND', async () => {
    const error = await providerErrorOf(client().recordInfo('task_missing'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', providerCode: 404, retryable: false });
  });

  it('answers INSUFFICIENT_CREDITS when the credits do not cover a task', async () => {
    emulator.setCredits(5);
    const error = await providerErrorOf(createCharacter(client()));
    expect(error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', providerCode: 402 });
    expect(await client().credit()).toBe(5);
  });

  it.each([
    [
      'two videos',
      { character_file_url: [VIDEO_URL, VIDEO_URL] },
      'input.character_file_url is not within the range of allowed options: must hold exactly one video URL',
    ],
    [
      'no video',
      { character_file_url: [] },
      'input.character_file_url is not within the range of allowed options: must hold exactly one video URL',
    ],
    [
      'a video that is no http URL',
      { character_file_url: ['ftp://x.test/a.mp4'] },
      'input.character_file_url.0 is not within the range of allowed options: must be an http(s) URL',
    ],
    [
      'a 5001-character prompt',
      { character_prompt: 'x'.repeat(5001) },
      'input.character_prompt is not within the range of allowed options: must be at most 5000 characters',
    ],
    [
      'a 5001-character safety instruction',
      { safety_instruction: 'x'.repeat(5001) },
      'input.safety_instruction is not within the range of allowed options: must be at most 5000 characters',
    ],
    ['no video field', { character_file_url: undefined }, 'input.character_file_url is required'],
  ])("refuses %s with kie.ai's code 500, read as VALIDATION", async (_, input, message) => {
    const error = await providerErrorOf(createCharacter(client(), input));
    expect(error).toMatchObject({
      code: 'VALIDATION',
      providerCode: 500,
      retryable: false,
      refused: true,
      message: `kie.ai createTask answered 500: ${message}`,
    });
  });

  it('accepts prompts of exactly 5000 characters', async () => {
    const text = 'x'.repeat(5000);
    const created = createCharacter(client(), { character_prompt: text, safety_instruction: text });
    await expect(created).resolves.toHaveProperty('taskId');
  });

  it('refuses an unknown model with MODEL_UNKNOWN, and a malformed pro input', async () => {
    const unknown = client().createTask({ model: 'sora-3', input: {} });
    expect(await providerErrorOf(unknown)).toMatchObject({
      code: 'MODEL_UNKNOWN',
      providerCode: 500,
      refused: true,
      message: 'kie.ai createTask answered 500: The model sora-3 is not supported',
    });
    const input = { origin_task_id: 'task_1', timestamps: '1,9', character_prompt: 'a fox' };
    const pro = client().createTask({ model: 'sora-2-characters-pro', input });
    expect(await providerErrorOf(pro)).toMatchObject({ code: 'VALIDATION', providerCode: 500 });
    const none = client().createTask({ model: '', input: {} });
    expect((await providerErrorOf(none)).message).toBe(
      'kie.ai createTask answered 500: model is required',
    );
  });

  it('refuses a paused model with MODEL_PAUSED, at once, making and billing nothing', async () => {
    const paused = await startEmulator({ apiKey: API_KEY, pausedModels: ['sora-2-characters'] });
    try {
      const kie = client({ apiBaseUrl: paused.url, retries: 3 });
      const error = await providerErrorOf(createCharacter(kie));
      expect(error).toMatchObject({
        code: 'MODEL_PAUSED',
        providerCode: 500,
        retryable: false,
        refused: true,
        message: 'kie.ai createTask answered 500: This interface is temporarily paused',
      });
      // Paused before its input is looked at, as kie.ai does: an empty input gets the same answer.
      const empty = kie.createTask({ model: 'sora-2-characters', input: {} });
      expect(await providerErrorOf(empty)).toMatchObject({ code: 'MODEL_PAUSED' });
      expect(paused.calls.map((call) => call.route)).toEqual(['createTask', 'createTask']);
      expect(paused.listTasks()).toEqual([]);
      expect(await kie.credit()).toBe(1000);
      // The models it does not pause go on.
      const pro = { origin_task_id: 'task_1', timestamps: '1,2', character_prompt: 'a fox' };
      const made = kie.createTask({ model: 'sora-2-characters-pro', input: pro });
      await expect(made).resolves.toHaveProperty('taskId');
    } finally {
      await paused.close();
    }
  });
});

describe('a request without an identifying User-Agent', () => {
  it.each(['node', 'undici'])(
    'is BLOCKED by the CDN when it says %s, before kie.ai sees the key',
    async (userAgent) => {
      const kie = client({ userAgent, apiKey: 'wrong-key', retries: 3 });
      const [calls, tasks] = [emulator.calls.length, emulator.listTasks().length];
      expect(await providerErrorOf(createCharacter(kie))).toMatchObject({
        code: 'BLOCKED',
        providerCode: 403,
        refused: true,
      });
      expect(emulator.calls.slice(calls)).toMatchObject([{ route: 'createTask', userAgent }]);
      expect(emulator.listTasks()).toHaveLength(tasks);
    },
  );

  it('gets an HTML 403 saying "error code: 1010" for fetch\'s default, and for none', async () => {
    const url = `${emulator.url}/api/v1/chat/credit`;
    const fetched = await fetch(url);
    // node:http sends no User-Agent unless told to.
    const bare = await new Promise<IncomingMessage>((resolve, reject) =>
      get(url, resolve).once('error', reject),
    );
    expect(bare.headers['content-type']).toMatch(/^text\/html/);
    expect(bare.statusCode).toBe(403);
    bare.resume();
    expect(fetched.status).toBe(403);
    expect(await fetched.text()).toContain('error code: 1010');
    expect(emulator.calls.slice(-2).map((call) => call.userAgent)).toEqual(['node', undefined]);
  });

  it('is recorded, and the identifying one of each call too', async () => {
    const before = emulator.calls.length;
    await client().credit();
    expect(emulator.calls.slice(before)).toMatchObject([
      { route: 'credit', userAgent: USER_AGENT },
    ]);
  });
});

describe('the API key', () => {
  it('is checked: a wrong key is UNAUTHORIZED and not retryable', async () => {
    const wrongKey = 'wrong-key-0b1c2d3e';
    const kie = client({ apiKey: wrongKey, retries: 3, retryMinDelayMs: 1, retryMaxDelayMs: 2 });
    const before = emulator.calls.length;
    const error = await providerErrorOf(kie.credit());
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 401, retryable: false });
    expect(emulator.calls.length - before).toBe(1);
    expect(error.message).not.toContain(wrongKey);
  });

  it('never appears in an error message, even when kie.ai echoes it', async () => {
    emulator.failNext('credit', { code: 401, msg: `key ${API_KEY} is revoked` });
    const error = await providerErrorOf(client().credit());
    expect(error.message).toBe('kie.ai credit answered 401: key [redacted] is revoked');
    expect(String(error.stack)).not.toContain(API_KEY);
  });
});

describe('uploadFile', () => {
  it('stores the bytes and serves them at downloadUrl', async () => {
    const data = new Uint8Array(randomBytes(64 * 1024));
    const uploaded = await client().uploadFile({
      data,
      fileName: 'clip.mp4',
      uploadPath: 'characters',
      mimeType: 'video/mp4',
    });
    expect(uploaded).toMatchObject({
      fileName: 'clip.mp4',
      filePath: 'characters/clip.mp4',
      fileSize: data.byteLength,
      mimeType: 'video/mp4',
    });
    expect(Number.isNaN(Date.parse(uploaded.uploadedAt))).toBe(false);
    expect(uploaded.downloadUrl.startsWith(emulator.url)).toBe(true);

    const download = await fetch(uploaded.downloadUrl);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data);

    const created = createCharacter(client(), { character_file_url: [uploaded.downloadUrl] });
    await expect(created).resolves.toHaveProperty('taskId');
  });

  it('overwrites a file of the same name, and defaults the type to octet-stream', async () => {
    const upload = (text: string) =>
      client().uploadFile({
        data: new TextEncoder().encode(text),
        fileName: 'same name.bin',
        uploadPath: 'nested/folder',
      });
    await upload('first');
    const second = await upload('second');
    expect(second).toMatchObject({
      filePath: 'nested/folder/same name.bin',
      mimeType: 'application/octet-stream',
    });
    expect(await (await fetch(second.downloadUrl)).text()).toBe('second');
  });
});

describe('downloadUrl', () => {
  it("answers kie.ai's temporary link to its own file, and refuses another URL", async () => {
    const kie = client();
    const stored = await kie.uploadFile({
      data: new Uint8Array([1, 2, 3]),
      fileName: 'clip.mp4',
      uploadPath: 'characters',
      mimeType: 'video/mp4',
    });
    const link = await kie.downloadUrl(stored.downloadUrl);
    expect(link).toMatch(new RegExp(`^${stored.downloadUrl}\\?expires=\\d+$`));
    const error = await providerErrorOf(kie.downloadUrl(VIDEO_URL));
    expect(error).toMatchObject({ providerCode: 422, retryable: false });
  });

  it.each([
    ['a bare string', 'https://files.kie.test/a.mp4'],
    ['an object with url', { url: 'https://files.kie.test/a.mp4' }],
  ])('reads data as %s', async (_form, data) => {
    // kie.ai's two forms of the answer, as a body of its own: the emulator answers the first.
    const body = JSON.stringify({ code: 200, msg: 'success', data });
    emulator.failNext('downloadUrl', { body, httpStatus: 200 });
    expect(await client().downloadUrl('https://files.kie.test/a.mp4')).toBe(
      'https://files.kie.test/a.mp4',
    );
  });
});
