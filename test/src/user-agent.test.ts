import { DEFAULT_USER_AGENT } from '@charanim/gateway';
import { type Emulator, startEmulator } from '@charanim/provider/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';
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
});
