import {
  advanceTask,
  createWebhookEndpoint,
  tasks,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from '@charanim/db';
import { type WebhookAnswer, WebhookSender, type WebhookSenderOptions } from '@charanim/tasks';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';

/** The sender's core on a real database, with the network and the clock in the test's hands. */

const database = useTestDatabase();
const SECRET = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const DAY = 24 * 3_600_000;
const logger = { debug() {}, info() {}, warn() {}, error() {} };

const options: WebhookSenderOptions = {
  instance: 'test',
  leaseMs: 60_000,
  retryBaseMs: 1_000,
  retryMaxMs: 3_600_000,
  retryForMs: 3 * DAY,
  disableAfterMs: 3 * DAY,
  batchSize: 10,
};

/** A sender whose every POST gets `answer`, whose clock reads `clock.now`, and what it posted. */
function sender(answer: WebhookAnswer, clock = { now: Date.now() }, extra = {}) {
  const posted: { url: string; headers: Record<string, string> }[] = [];
  const results: string[] = [];
  const core = new WebhookSender(
    {
      db: database().db,
      transport: {
        check: async () => undefined,
        post: async (url, headers) => {
          posted.push({ url, headers });
          return answer;
        },
      },
      globalId: (type, id) => `${type}:${id}`,
      logger,
      now: () => clock.now,
      random: () => 1,
    },
    { ...options, ...extra, onResult: (result) => results.push(result) },
  );
  return { core, posted, results };
}

/** An endpoint of `owner` and a task of its that just entered WAITING: one delivery, due. */
async function oneDelivery(owner: string) {
  const db = database().db;
  const endpoint = await createWebhookEndpoint(db, owner, {
    url: `https://${owner}.example.com/hook`,
    events: ['TASK_STATE_CHANGED'],
    description: null,
    secret: SECRET,
  });
  const [task] = await db
    .insert(tasks)
    .values({ owner, model: 'sora-2-characters', input: {} })
    .returning();
  if (!task) throw new Error('no task');
  await advanceTask(db, task.id, { state: 'WAITING' });
  const [delivery] = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpoint.id));
  if (!delivery) throw new Error('the change wrote no delivery');
  return { endpoint, task, delivery };
}

const deliveryRow = async (id: string) =>
  (await database().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0];

describe('the webhook sender', () => {
  it('retries a refused delivery after an exponential delay, then gives it up after its window', async () => {
    const { delivery } = await oneDelivery('retrier');
    const clock = { now: Date.now() };
    const refused = sender({ statusCode: 500, excerpt: 'down' }, clock);
    expect(await refused.core.tick()).toBe(1);
    const first = await deliveryRow(delivery.id);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, leasedBy: null });
    // One base delay (random 1: the top of its range) after the attempt, by the database's clock.
    const [attempt] = await database()
      .db.select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, delivery.id));
    expect((first?.nextAttemptAt.getTime() ?? 0) - (attempt?.attemptedAt.getTime() ?? 0)).toBe(
      1_000,
    );
    // Not due yet: nothing to send.
    expect(await refused.core.tick()).toBe(0);

    // Due again, three days after it was first pending: the last attempt, then given up.
    await database()
      .db.update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(Date.now() - 1) })
      .where(eq(webhookDeliveries.id, delivery.id));
    clock.now = delivery.pendingSince.getTime() + 3 * DAY;
    expect(await refused.core.tick()).toBe(1);
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(refused.results).toEqual(['retry', 'failed']);
    const attempts = await database()
      .db.select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, delivery.id));
    expect(attempts.map((attempt) => [attempt.statusCode, attempt.excerpt])).toEqual([
      [500, 'down'],
      [500, 'down'],
    ]);
  });

  it('leaves a leased delivery to its holder, and signs it with the secret', async () => {
    const { endpoint, delivery } = await oneDelivery('leaser');
    // Another instance holds it: its lease runs for a minute.
    await database()
      .db.update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(Date.now() + 60_000), leasedBy: 'elsewhere' })
      .where(eq(webhookDeliveries.id, delivery.id));
    const ok = sender({ statusCode: 204, excerpt: '' });
    await ok.core.tick();
    expect(ok.posted.filter((post) => post.url === endpoint.url)).toEqual([]);

    // Its lease ran out (its holder died): taken over and delivered.
    await database()
      .db.update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(Date.now() - 1) })
      .where(eq(webhookDeliveries.id, delivery.id));
    await ok.core.tick();
    const [post] = ok.posted.filter((one) => one.url === endpoint.url);
    expect(post?.headers).toMatchObject({
      'webhook-id': `msg_${delivery.id}`,
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/=]+$/),
    });
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    const [row] = await database()
      .db.select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, endpoint.id));
    expect(row?.failingSince).toBeNull();
  });
});
