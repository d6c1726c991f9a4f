import { webhookEndpoints } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { CREATE_ENDPOINT, createCharacterTask, DELIVERIES } from './support/webhooks.ts';

/** A gateway as deployed: WEBHOOK_ALLOW_PRIVATE off, so that no tenant reaches the inside. */

let t: TestGateway;
let app: WebhookReceiver;

beforeAll(async () => {
  t = await startTestGateway({ env: { WEBHOOK_TICK_MS: '50' } });
  app = await startWebhookReceiver();
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});

describe('an endpoint on a private address', () => {
  it('is refused when made, naming the address', async () => {
    const urls = [
      app.url,
      'http://localhost:8080/hook',
      'http://10.0.0.8/hook',
      'http://172.16.3.4/hook',
      'http://192.168.1.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/hook',
      'http://[::1]:8080/hook',
      'http://[fe80::1]/hook',
      'http://[fd00::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
    ];
    for (const url of urls) {
      const created = await graphql(t.graphqlUrl, CREATE_ENDPOINT, {
        input: { url, events: ['TASK_ENDED'] },
      });
      expect(created.data?.createWebhookEndpoint, url).toMatchObject({
        __typename: 'ValidationError',
        field: 'url',
        message: expect.stringMatching(/WEBHOOK_ALLOW_PRIVATE is off/),
      });
    }
    for (const url of ['ftp://files.example.com/x', 'not a url', 'https://user:pw@example.com/']) {
      const created = await graphql(t.graphqlUrl, CREATE_ENDPOINT, {
        input: { url, events: ['TASK_ENDED'] },
      });
      expect(created.data?.createWebhookEndpoint, url).toMatchObject({ field: 'url' });
    }
    expect(await t.gateway.database.db.select().from(webhookEndpoints)).toEqual([]);
  });

  it('is refused at every send, though it got past the check (a name that resolves elsewhere now)', async () => {
    // As if its host had resolved to a public address when it was made.
    const [endpoint] = await t.gateway.database.db
      .insert(webhookEndpoints)
      .values({
        owner: 'local',
        url: app.url,
        events: ['TASK_ENDED'],
        secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      })
      .returning();
    const endpointId = Buffer.from(`WebhookEndpoint:${endpoint?.id}`).toString('base64');
    await createCharacterTask(t.graphqlUrl, 'private');
    let attempts: { statusCode: number | null; excerpt: string }[] = [];
    await waitFor(async () => {
      const read = await graphql(t.graphqlUrl, DELIVERIES, { endpoint: endpointId });
      attempts = read.data?.webhookDeliveries.edges[0]?.node.attempts ?? [];
      return attempts.length > 0;
    });
    expect(attempts[0]).toMatchObject({
      statusCode: null,
      excerpt: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/),
    });
    expect(app.received).toEqual([]);
  });
});
