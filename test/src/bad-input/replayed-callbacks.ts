import { signWebhook } from '@charanim/provider';
import { TEST_HMAC_KEY } from '../support/gateway.ts';
import type { Probe } from './probes.ts';
import { now } from './requests.ts';
import type { Rng } from './rng.ts';
import type { RealTask } from './state.ts';

export function replayedCallbacks(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const queries = ['', `?task=${real.id}`, `?task=${rng.uuid()}`];
  for (let i = 0; i < 30; i++) {
    const ts = now() - rng.range(0, 240);
    probes.push({
      category: 'replayed-callbacks',
      name: `replay ${i}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: `/webhooks/kie${rng.pick(queries)}`,
        headers: {
          'content-type': 'application/json',
          'x-webhook-timestamp': String(ts),
          'x-webhook-signature': signWebhook(real.providerTaskId, ts, TEST_HMAC_KEY),
        },
        body: real.callback,
      },
    });
  }
  return probes;
}
