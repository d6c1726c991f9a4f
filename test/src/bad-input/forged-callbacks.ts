import { signWebhook } from '@charanim/provider';
import { TEST_HMAC_KEY } from '../support/gateway.ts';
import type { Probe } from './probes.ts';
import { callbackBody, json, now } from './requests.ts';
import type { Rng } from './rng.ts';
import type { RealTask } from './state.ts';

export function forgedCallbacks(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const unknownId = () => `task_sora-2-characters_${rng.range(1, 9e9)}`;
  const bodies: [string, () => string, boolean][] = [
    // [name, body, names the real task]
    [
      'success for the real task',
      () => callbackBody(real.providerTaskId, 'success', `char_${rng.word()}`),
      true,
    ],
    ['failure for the real task', () => callbackBody(real.providerTaskId, 'fail'), true],
    ['success for an unknown task', () => callbackBody(unknownId()), false],
    ['empty object', () => '{}', false],
    ['code only', () => '{"code":200}', false],
    ['data without a task id', () => '{"code":200,"msg":"ok","data":{"state":"success"}}', false],
    ['empty task id', () => callbackBody(''), false],
    ['numeric task id', () => callbackBody(12345), false],
    ['object task id', () => callbackBody({ $ne: null }), false],
    ['not JSON', () => `{"code": 200, ${rng.word()}`, false],
    ['random bytes', () => rng.bytes(rng.range(1, 500)).toString('latin1'), false],
    ['null', () => 'null', false],
    ['an array', () => '[1,2,3]', false],
    ['empty', () => '', false],
    [
      'over 64 KB',
      () =>
        JSON.stringify({
          ...JSON.parse(callbackBody(real.providerTaskId)),
          pad: 'x'.repeat(70_000),
        }),
      true,
    ],
    ['bad state', () => callbackBody(real.providerTaskId, 'exploded'), true],
    [
      'resultJson not JSON',
      () =>
        JSON.stringify({
          code: 200,
          msg: 'x',
          data: { taskId: real.providerTaskId, state: 'success', resultJson: '{' },
        }),
      true,
    ],
  ];
  const headers = (ts: number | string, signature: string) => ({
    'x-webhook-timestamp': String(ts),
    'x-webhook-signature': signature,
  });
  const sign = (id: string, ts: number | string, key = TEST_HMAC_KEY) => signWebhook(id, ts, key);
  const oddTimestamps = ['abc', '-5', '1e9', ` ${now()}`, '', '0', `${now()}.5`, '9'.repeat(23)];
  const signatures: [string, (taskId: string) => Record<string, string>][] = [
    ['no headers', () => ({})],
    ['timestamp only', () => ({ 'x-webhook-timestamp': String(now()) })],
    ['signature only', (id) => ({ 'x-webhook-signature': sign(id, now()) })],
    ['random signature', () => headers(now(), rng.bytes(32).toString('base64'))],
    ['signed with another key', (id) => headers(now(), sign(id, now(), 'not-the-key'))],
    [
      'stale timestamp',
      (id) => {
        const ts = now() - rng.range(301, 86_400 * 30);
        return headers(ts, sign(id, ts));
      },
    ],
    [
      'future timestamp',
      (id) => {
        const ts = now() + rng.range(301, 86_400);
        return headers(ts, sign(id, ts));
      },
    ],
    [
      'odd timestamp',
      (id) => {
        const ts = rng.pick(oddTimestamps);
        return headers(ts, sign(id, ts));
      },
    ],
    ['signed for another task', () => headers(now(), sign(unknownId(), now()))],
    [
      'hex signature',
      (id) => headers(now(), Buffer.from(sign(id, now()), 'base64').toString('hex')),
    ],
    ['truncated signature', (id) => headers(now(), sign(id, now()).slice(0, 20))],
    ['signature with a suffix', (id) => headers(now(), `${sign(id, now())}=`)],
    ['valid signature', (id) => headers(now(), sign(id, now()))],
  ];
  const queries = [
    '',
    `?task=${rng.uuid()}`,
    `?task=${real.id}`,
    '?task=x',
    `?task=${'x'.repeat(5_000)}`,
    '?task=',
    '?task[]=1&task=2',
  ];
  for (let i = 0; i < 80; i++) {
    const [bodyName, makeBody, namesReal] = rng.pick(bodies);
    let [signatureName, signed] = rng.pick(signatures);
    const body = makeBody();
    // A valid signature over the real task is not a forgery: those are the replays below.
    if (namesReal && signatureName === 'valid signature')
      [signatureName, signed] = signatures[3] as (typeof signatures)[number];
    let taskId = real.providerTaskId;
    try {
      const id = JSON.parse(body)?.data?.taskId;
      if (typeof id === 'string') taskId = id;
    } catch {
      // not JSON: the signature is made over the real task id
    }
    const type = rng.pick(['application/json', 'text/plain', undefined]);
    probes.push({
      category: 'forged-callbacks',
      name: `${bodyName}, ${signatureName}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: `/webhooks/kie${rng.pick(queries)}`,
        headers: { ...(type && { 'content-type': type }), ...signed(taskId) },
        body,
      },
    });
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
    probes.push({
      category: 'forged-callbacks',
      name: `${method} on the webhook`,
      send: {
        kind: 'http',
        method,
        path: '/webhooks/kie',
        headers: json,
        ...(method !== 'GET' && method !== 'HEAD' && { body: real.callback }),
      },
    });
  }
  return probes;
}
