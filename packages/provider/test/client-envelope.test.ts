import { describe, expect, it } from 'vitest';
import { KieClient, type KieClientOptions } from '../src/client.ts';
import { providerErrorOf } from './provider-error.ts';
import { USER_AGENT } from './user-agent.ts';

/** A client whose every request gets this answer; the requests it made are kept. */
function answering(body: string, status = 200, options: Partial<KieClientOptions> = {}) {
  const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
  const client = new KieClient({
    apiKey: 'key-123',
    apiBaseUrl: 'https://api.test/',
    uploadBaseUrl: 'https://upload.test',
    userAgent: USER_AGENT,
    retries: 0,
    ...options,
    fetch: async (url, init) => {
      requests.push({ url: String(url), init });
      return new Response(body, { status });
    },
  });
  return { client, requests };
}

const json = (value: unknown) => JSON.stringify(value);

describe('KieClient envelope parsing', () => {
  it('lets a body code win over HTTP 200, and over any HTTP status', async () => {
    const failure = answering(json({ code: 422, msg: 'bad input', data: null }));
    expect(await providerErrorOf(failure.client.credit())).toMatchObject({
      code: 'VALIDATION',
      providerCode: 422,
      message: 'kie.ai credit answered 422: bad input',
    });
    const success = answering(json({ code: 200, msg: 'success', data: 7 }), 500);
    expect(await success.client.credit()).toBe(7);
  });

  it('lets the HTTP status decide when the body has no code', async () => {
    const missing = answering(json({ message: 'no such endpoint' }), 404);
    expect(await providerErrorOf(missing.client.credit())).toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 404,
      message: 'kie.ai credit answered 404: no such endpoint',
    });
    expect(await answering(json({ data: 12 })).client.credit()).toBe(12);
  });

  it('reads a code sent as a numeric string', async () => {
    const { client } = answering(json({ code: '429', msg: 'slow down' }));
    expect(await providerErrorOf(client.credit())).toMatchObject({
      code: 'RATE_LIMITED',
      providerCode: 429,
    });
  });

  it('maps codes outside the table by their class', async () => {
    const teapot = answering(json({ code: 418, msg: 'teapot' }));
    expect(await providerErrorOf(teapot.client.credit())).toMatchObject({
      code: 'UNKNOWN',
      retryable: false,
    });
    const unavailable = answering(json({ code: 503, msg: 'unavailable' }));
    expect(await providerErrorOf(unavailable.client.credit())).toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
    });
  });

  it('treats a body that is not JSON as UNKNOWN, or SERVER_ERROR on a 5xx', async () => {
    const garbled = answering('<html>oops</html>');
    expect(await providerErrorOf(garbled.client.credit())).toMatchObject({
      code: 'UNKNOWN',
      retryable: false,
      providerCode: 200,
      message: 'kie.ai credit answered 200: a body that is not a JSON envelope',
    });
    const badGateway = answering('<html>Bad Gateway</html>', 502);
    expect(await providerErrorOf(badGateway.client.recordInfo('t'))).toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
      providerCode: 502,
    });
    for (const body of ['', 'null', '[1]', '"text"']) {
      expect(await providerErrorOf(answering(body).client.credit())).toMatchObject({
        code: 'UNKNOWN',
      });
    }
  });

  it('treats unexpected data in a success as UNKNOWN', async () => {
    const { client } = answering(json({ code: 200, msg: 'success', data: { taskId: 't' } }));
    const error = await providerErrorOf(client.recordInfo('t'));
    expect(error).toMatchObject({ code: 'UNKNOWN', retryable: false });
    expect(error.message).toMatch(/^kie\.ai sent a malformed recordInfo answer/);
    expect(await providerErrorOf(client.credit())).toMatchObject({ code: 'UNKNOWN' });
  });

  it('accepts a created task named task_id', async () => {
    const { client } = answering(json({ code: 200, msg: 'success', data: { task_id: 'task_9' } }));
    expect(await client.createTask({ model: 'm', input: {} })).toEqual({ taskId: 'task_9' });
  });

  it('sends createTask as kie.ai documents it', async () => {
    const { client, requests } = answering(json({ code: 200, data: { taskId: 'task_1' } }));
    await client.createTask({ model: 'm', input: { a: 1 }, callBackUrl: 'https://cb.test/' });
    await client.createTask({ model: 'm', input: { a: 1 } });
    const [withCallback, withoutCallback] = requests;
    expect(withCallback?.url).toBe('https://api.test/api/v1/jobs/createTask');
    expect(withCallback?.init).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer key-123', 'content-type': 'application/json' },
    });
    expect(JSON.parse(String(withCallback?.init?.body))).toEqual({
      model: 'm',
      input: { a: 1 },
      callBackUrl: 'https://cb.test/',
    });
    expect(JSON.parse(String(withoutCallback?.init?.body))).toEqual({
      model: 'm',
      input: { a: 1 },
    });
  });

  it('encodes the task id of recordInfo', async () => {
    const { client, requests } = answering('{}');
    await providerErrorOf(client.recordInfo('a&b=c'));
    expect(requests[0]?.url).toBe('https://api.test/api/v1/jobs/recordInfo?taskId=a%26b%3Dc');
  });

  it('refuses options that cannot work', () => {
    const options = {
      apiKey: 'k',
      apiBaseUrl: 'https://a.test',
      uploadBaseUrl: 'https://b.test',
      userAgent: USER_AGENT,
    };
    expect(() => new KieClient({ ...options, apiKey: '' })).toThrow('KieClient needs an apiKey');
    expect(() => new KieClient({ ...options, userAgent: ' ' })).toThrow(
      'KieClient needs a userAgent',
    );
    expect(() => new KieClient({ ...options, retryMinDelayMs: 9000 })).toThrow(
      'retryMinDelayMs is greater than retryMaxDelayMs',
    );
  });
});

const createTask = (client: KieClient) =>
  client.createTask({
    model: 'sora-2-characters',
    input: { character_file_url: ['https://v.test/a.mp4'] },
  });

/** Retries that would show at once: a refusal must not be sent twice. */
const quickRetries = { retries: 3, retryMinDelayMs: 1, retryMaxDelayMs: 2 };

describe('createTask refusals, told apart from failures', () => {
  it.each([
    ['This interface is temporarily paused', 500, 'MODEL_PAUSED', false],
    ['The model sora-3 is not supported', 500, 'MODEL_UNKNOWN', false],
    ['input.character_file_url is required', 500, 'VALIDATION', false],
    [
      'The value of input.size is not within the range of allowed options',
      500,
      'VALIDATION',
      false,
    ],
    ['Upstream request timed out', 408, 'UPSTREAM_TIMEOUT', true],
    ['Usage cap of this key exceeded', 433, 'USAGE_CAP_EXCEEDED', false],
    ['Internal Error', 500, 'SERVER_ERROR', true],
    ['Service unavailable: under maintenance', 455, 'MAINTENANCE', true],
  ] as const)('"%s" (code %i) is %s, a refusal, sent once', async (msg, code, name, retryable) => {
    for (const status of [200, code]) {
      const { client, requests } = answering(json({ code, msg, data: null }), status, quickRetries);
      expect(await providerErrorOf(createTask(client))).toMatchObject({
        code: name,
        retryable,
        refused: true,
        providerCode: code,
        message: `kie.ai createTask answered ${code}: ${msg}`,
      });
      expect(requests).toHaveLength(1);
    }
  });

  it('retries a 429 refusal, as kie.ai dropped the request', async () => {
    const { client, requests } = answering(
      json({ code: 429, msg: 'slow down' }),
      200,
      quickRetries,
    );
    expect(await providerErrorOf(createTask(client))).toMatchObject({
      code: 'RATE_LIMITED',
      refused: true,
    });
    expect(requests).toHaveLength(4);
  });

  it('lets the message decide only when the code names no particular failure', async () => {
    const cases = [
      [{ code: 401, msg: 'an API key is required' }, 'UNAUTHORIZED'],
      [{ code: 422, msg: 'callBackUrl is not supported' }, 'VALIDATION'],
      [{ code: 503, msg: 'This interface is temporarily paused' }, 'MODEL_PAUSED'],
      [{ code: 418, message: 'model x is not supported' }, 'MODEL_UNKNOWN'],
    ] as const;
    for (const [body, name] of cases) {
      const { client } = answering(json(body));
      expect(await providerErrorOf(createTask(client))).toMatchObject({ code: name });
    }
  });

  it('takes an answer that names a task for no refusal: the task may exist', async () => {
    for (const data of [{ taskId: 'task_1' }, { task_id: 'task_1' }]) {
      const { client, requests } = answering(
        json({ code: 429, msg: 'busy', data }),
        200,
        quickRetries,
      );
      expect(await providerErrorOf(createTask(client))).toMatchObject({
        code: 'RATE_LIMITED',
        refused: false,
        retryable: false,
      });
      expect(requests).toHaveLength(1);
    }
  });

  it('takes an answer without a readable envelope for no refusal, unless HTTP refused it', async () => {
    const cases = [
      ['<html>Bad Gateway</html>', 502, 'SERVER_ERROR', false],
      ['', 200, 'UNKNOWN', false],
      [json({ code: 200, msg: 'success', data: {} }), 200, 'UNKNOWN', false],
      ['<html>Not Found</html>', 404, 'NOT_FOUND', true],
      [json({ message: 'no such endpoint' }), 404, 'NOT_FOUND', true],
    ] as const;
    for (const [body, status, name, refused] of cases) {
      const { client, requests } = answering(body, status, quickRetries);
      expect(await providerErrorOf(createTask(client))).toMatchObject({
        code: name,
        refused,
        retryable: false,
      });
      expect(requests).toHaveLength(1);
    }
  });

  it('keeps the retry rules of reads: a 500 is retried, a paused model is not', async () => {
    const failed = answering(json({ code: 500, msg: 'Internal Error' }), 200, quickRetries);
    expect(await providerErrorOf(failed.client.recordInfo('t'))).toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
    });
    expect(failed.requests).toHaveLength(4);
    const paused = answering(json({ code: 500, msg: 'This interface is temporarily paused' }));
    expect(await providerErrorOf(paused.client.credit())).toMatchObject({
      code: 'MODEL_PAUSED',
      retryable: false,
    });
  });
});

describe('the CDN in front of kie.ai', () => {
  const page =
    '<!DOCTYPE html><html><body><h1>Access denied</h1><p>error code: 1010</p></body></html>';

  it('sends an identifying User-Agent on every request, to both hosts', async () => {
    const { client, requests } = answering(json({ code: 500, msg: 'Internal Error' }));
    await providerErrorOf(createTask(client));
    await providerErrorOf(client.recordInfo('t'));
    await providerErrorOf(client.credit());
    const file = { data: new Uint8Array([1]), fileName: 'a.mp4', uploadPath: 'x' };
    await providerErrorOf(client.uploadFile(file));
    expect(requests.map((request) => new URL(request.url).host)).toEqual([
      'api.test',
      'api.test',
      'api.test',
      'upload.test',
    ]);
    for (const { init } of requests) {
      expect(init?.headers).toMatchObject({ 'user-agent': USER_AGENT });
    }
  });

  it('answers its HTML 403 with BLOCKED, which says what to check, and sends it once', async () => {
    const { client, requests } = answering(page, 403, quickRetries);
    const error = await providerErrorOf(createTask(client));
    expect(error).toMatchObject({
      code: 'BLOCKED',
      providerCode: 403,
      refused: true,
      retryable: false,
    });
    expect(error.message).toBe(
      `kie.ai's CDN refused createTask with HTTP 403 (error code: 1010) before kie.ai saw the API key, so the key is not the cause: check that the User-Agent names this client (it sent "${USER_AGENT}"; a default one of an HTTP library is refused), then that no proxy, VPN or block of this machine's IP address is in the way`,
    );
    expect(requests).toHaveLength(1);
    const bare = answering('error code: 1010', 403);
    expect(await providerErrorOf(bare.client.credit())).toMatchObject({ code: 'BLOCKED' });
  });

  it("takes a 403 in kie.ai's own envelope for kie.ai's answer", async () => {
    const { client } = answering(json({ code: 403, msg: 'forbidden' }), 403);
    expect(await providerErrorOf(client.credit())).toMatchObject({
      code: 'UNKNOWN',
      message: 'kie.ai credit answered 403: forbidden',
    });
  });
});
