import { DEFAULT_USER_AGENT } from '@charanim/gateway';
import { type Emulator, startEmulator } from '@charanim/provider/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { fixture, uploadCharacter } from './support/upload.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;
/** The File Upload API on a host of its own, as kie.ai has it. */
let uploadHost: Emulator;

beforeAll(async () => {
  uploadHost = await startEmulator({ apiKey: TEST_API_KEY });
  t = await startTestGateway({ env: { KIE_UPLOAD_BASE_URL: uploadHost.url } });
});
afterAll(async () => {
  await t?.close();
  await uploadHost?.close();
});

describe('the User-Agent of the requests to kie.ai', () => {
  it('names the gateway and its version on every request, to both hosts', async () => {
    const clip = new Blob([fixture('clip-2s.mp4')], { type: 'video/mp4' });
    const { body } = await uploadCharacter(t.graphqlUrl, clip, 'clip.mp4');
    expect(body.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
    expect((await graphql(t.graphqlUrl, '{ credits }')).data?.credits).toEqual(expect.any(Number));
    await waitFor(() => t.emulator.calls.some((call) => call.route === 'recordInfo'));

    expect(DEFAULT_USER_AGENT).toMatch(/^charanim-gateway\/\d+\.\d+\.\d+/);
    const calls = [...t.emulator.calls, ...uploadHost.calls];
    expect(new Set(calls.map((call) => call.route))).toEqual(
      new Set(['createTask', 'recordInfo', 'credit', 'upload']),
    );
    expect(uploadHost.calls.map((call) => call.route)).toEqual(['upload']);
    for (const call of calls) expect(call.userAgent).toBe(DEFAULT_USER_AGENT);
  });

  it("is BLOCKED by kie.ai's CDN when KIE_USER_AGENT is a library's default", async () => {
    const blocked = await startTestGateway({ env: { KIE_USER_AGENT: 'node' } });
    try {
      const input = { videoUrl: 'https://videos.example.com/blocked.mp4', idempotencyKey: 'b-1' };
      const response = await graphql(blocked.graphqlUrl, CREATE_CHARACTER, { input });
      const result = response.data?.createCharacter;
      expect(result).toMatchObject({
        __typename: 'ProviderError',
        code: 'BLOCKED',
        retryable: false,
        recordedTask: { state: 'FAIL' },
      });
      expect(result.message).toMatch(
        /^kie\.ai's CDN refused createTask with HTTP 403 \(error code: 1010\) before kie\.ai saw the API key, .*it sent "node"/,
      );
      expect(blocked.emulator.calls).toMatchObject([{ route: 'createTask', userAgent: 'node' }]);
      expect(blocked.emulator.listTasks()).toEqual([]);
      const credits = await graphql(blocked.graphqlUrl, '{ credits }');
      expect(credits.errors?.[0]?.extensions).toMatchObject({ code: 'BLOCKED', retryable: false });
    } finally {
      await blocked.close();
    }
  });
});
