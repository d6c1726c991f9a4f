import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KieClient } from '../src/client.ts';
import { type Emulator, type EmulatorCall, startEmulator } from '../src/emulator/index.ts';
import { USER_AGENT } from './user-agent.ts';

const API_KEY = 'emulator-steering-key';

let emulator: Emulator;
let kie: KieClient;

beforeAll(async () => {
  emulator = await startEmulator({
    apiKey: API_KEY,
    timing: { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 },
  });
  kie = new KieClient({
    apiKey: API_KEY,
    apiBaseUrl: emulator.url,
    uploadBaseUrl: emulator.url,
    userAgent: USER_AGENT,
  });
});
afterAll(() => emulator.close());

const request = {
  model: 'sora-2-characters',
  input: { character_file_url: ['https://v.example/a.mp4'] },
};

function putMode(body: unknown, key: string | undefined = API_KEY) {
  return fetch(`${emulator.url}/emulator/callback-mode`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
}

describe('the emulator over HTTP, for tests in another process', () => {
  it('lists each call with when it arrived and ended, and the task a recordInfo asked for', async () => {
    const { taskId } = await kie.createTask(request);
    emulator.delayNext('recordInfo', 80);
    await kie.recordInfo(taskId);
    const response = await fetch(`${emulator.url}/emulator/calls`);
    const { calls } = (await response.json()) as { calls: EmulatorCall[] };
    const read = calls.find((call) => call.route === 'recordInfo');
    expect(read).toMatchObject({ taskId, at: expect.any(Number), endedAt: expect.any(Number) });
    expect((read?.endedAt ?? 0) - (read?.at ?? 0)).toBeGreaterThanOrEqual(80);
    expect(calls.map((call) => call.route)).toEqual(['createTask', 'recordInfo']);
  });

  it('takes the callback mode with the API key, and refuses it without or when unknown', async () => {
    expect((await putMode({ mode: 'drop' }, 'wrong-key')).status).toBe(401);
    expect((await putMode({ mode: 'sometimes' })).status).toBe(400);
    const accepted = await putMode({ mode: 'drop' });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ mode: 'drop' });
    const { taskId } = await kie.createTask({ ...request, callBackUrl: 'http://127.0.0.1:9/cb' });
    emulator.failTask(taskId, '500', 'ended by the test');
    expect(emulator.listTasks().find((task) => task.taskId === taskId)?.callbacks).toMatchObject({
      sent: 0,
      dropped: 1,
    });
  });
});
