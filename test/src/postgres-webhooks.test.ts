import { once } from 'node:events';
import {
  type DatabaseHandle,
  openDatabase,
  webhookAttempts,
  webhookDeliveries,
} from '@charanim/db';
import {
  createDatabase,
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
} from '@charanim/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { createCharacterTask, createEndpoint } from './support/webhooks.ts';

/** Two gateway processes on one database: a delivery outlives the instance that was sending it. */

const LEASE_MS = '4000';

let database: Awaited<ReturnType<typeof createDatabase>>;
let db: DatabaseHandle;
let emulator: Spawned;
const gateways = new Map<string, Spawned>();
let app: WebhookReceiver;
/** While true, the receiver holds each request without answering: its sender waits on it. */
let holding = true;

beforeAll(async () => {
  database = await createDatabase();
  emulator = await startEmulatorProcess();
  const start = (name: string) =>
    startGatewayProcess({
      DATABASE_URL: database.url,
      KIE_API_BASE_URL: emulator.url,
      KIE_UPLOAD_BASE_URL: emulator.url,
      POLL_INTERVAL_MS: '200',
      POLL_MAX_INTERVAL_MS: '400',
      INSTANCE_NAME: name,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TICK_MS: '100',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_LEASE_MS: LEASE_MS,
    });
  const [a, b] = await Promise.all([start('a'), start('b')]);
  gateways.set('a', a).set('b', b);
  db = await openDatabase({ url: database.url });
  app = await startWebhookReceiver(() => 200);
});
afterAll(async () => {
  holding = false;
  await app?.stop();
  await db?.close();
  await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
  await emulator?.stop();
  await database?.drop();
});

describe('a delivery whose instance was killed while sending it', () => {
  it('is sent by another instance once its lease ends, with the same webhook-id', async () => {
    const first = gateways.get('a') as Spawned;
    const graphqlUrl = `${first.url}/graphql`;
    const endpoint = await createEndpoint(graphqlUrl, app.url, ['TASK_ENDED']);
    app.secrets.push(endpoint.secret);
    // The first request is held unanswered; the instance sending it is killed meanwhile.
    app.answering = (n) => (n === 0 && holding ? 'hold' : 200);

    await createCharacterTask(graphqlUrl, 'killed-sender');
    await waitFor(() => app.received.length === 1, 20_000);
    const [leased] = await db.db.select().from(webhookDeliveries);
    const sender = gateways.get(leased?.leasedBy ?? '');
    if (!leased || !sender)
      throw new Error(`no instance holds the delivery: ${JSON.stringify(leased)}`);
    const exited = once(sender.child, 'exit');
    sender.child.kill('SIGKILL');
    await exited;
    gateways.delete(leased.leasedBy ?? '');
    holding = false;

    await waitFor(() => app.accepted().length === 1, 20_000);
    expect(app.received.map((one) => one.id)).toEqual([`msg_${leased.id}`, `msg_${leased.id}`]);
    expect(app.received.every((one) => one.verifiedWith[0] === true)).toBe(true);
    await waitFor(async () => {
      const [row] = await db.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.id, leased.id));
      return row?.status === 'delivered';
    });
    // Only the survivor's attempt is recorded: the killed one never came back.
    const attempts = await db.db
      .select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, leased.id));
    expect(attempts.map((attempt) => attempt.statusCode)).toEqual([200]);
  });
});
