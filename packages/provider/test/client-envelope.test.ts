import { describe, expect, it } from 'vitest';
import { KieClient } from '../src/client.ts';
import { providerErrorOf } from './provider-error.ts';
import { USER_AGENT } from './user-agent.ts';

/** A client whose every request gets this answer; the requests it made are kept. */
function answering(body: string, status = 200) {
  const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
  const client = new KieClient({
    apiKey: 'key-123',
    apiBaseUrl: 'https://api.test/',
    uploadBaseUrl: 'https://upload.test',
    userAgent: USER_AGENT,
    retries: 0,
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

describe('the CDN in front of kie.ai', () => {
  it('sends an identifying User-Agent on every request, to both hosts', async () => {
    const { client, requests } = answering(json({ code: 500, msg: 'Internal Error' }));
    await providerErrorOf(client.createTask({ model: 'm', input: {} }));
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
});
