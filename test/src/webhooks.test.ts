import { webhookDeliveries, webhookEndpoints } from '@charanim/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { createCharacterTask, createEndpoint, DELIVERIES } from './support/webhooks.ts';

/** Webhooks to an app, as the app sees them: signed, in order, at least once. */

const ACME = 'acme-key-0123456789abc';
const GLOBEX = 'globex-key-0123456789ab';
const ALL_EVENTS = ['TASK_STATE_CHANGED', 'TASK_ENDED', 'CHARACTER_READY', 'VIDEO_READY'];
const STATE_ORDER = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS', 'FAIL'];

let t: TestGateway;
const asAcme = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ACME);
const receivers: WebhookReceiver[] = [];

async function receiver(answering?: Parameters<typeof startWebhookReceiver>[0]) {
  const started = await startWebhookReceiver(answering);
  receivers.push(started);
  return started;
}

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      GATEWAY_API_KEYS: `acme:${ACME}, globex:${GLOBEX}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TICK_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '200',
    },
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((one) => one.stop()));
  await t?.close();
});

/** An endpoint's deliveries once `count` of them are no longer pending. */
async function settledDeliveries(endpoint: string, count: number) {
  let nodes: Record<string, any>[] = [];
  await waitFor(async () => {
    const deliveries = await asAcme(DELIVERIES, { endpoint, filter: { status: 'DELIVERED' } });
    expect(deliveries.errors).toBeUndefined();
    nodes = deliveries.data?.webhookDeliveries.edges.map((edge: { node: unknown }) => edge.node);
    return nodes.length === count;
  });
  return nodes;
}

/** The events a receiver accepted for one task, in the order they arrived. */
const eventsOf = (from: WebhookReceiver, taskId: string) =>
  from
    .accepted()
    .filter((one) => one.body.data.task.id === taskId)
    .map((one) => `${one.body.type}:${one.body.data.task.state}`);

/** Each state the gateway saw (a callback may skip some) once and in order, then the end's events. */
function expectInOrder(events: string[]) {
  const changes = events.filter((event) => event.startsWith('TASK_STATE_CHANGED'));
  const states = changes.map((event) => event.split(':')[1] ?? '');
  expect(states).toEqual(
    [...states].sort((a, b) => STATE_ORDER.indexOf(a) - STATE_ORDER.indexOf(b)),
  );
  expect(new Set(states).size).toBe(states.length);
  expect(events.slice(-3)).toEqual([
    'TASK_STATE_CHANGED:SUCCESS',
    'TASK_ENDED:SUCCESS',
    'CHARACTER_READY:SUCCESS',
  ]);
}

describe('a receiver verifying signatures', () => {
  it('gets every event of a task, in order, with the typed result', async () => {
    const app = await receiver();
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ALL_EVENTS, ACME);
    expect(endpoint.secret).toMatch(/^whsec_/);
    app.secrets.push(endpoint.secret);

    const taskId = await createCharacterTask(t.graphqlUrl, 'in-order', ACME);
    await waitFor(() => eventsOf(app, taskId).includes('CHARACTER_READY:SUCCESS'));

    const events = eventsOf(app, taskId);
    expectInOrder(events);
    expect(app.received.every((one) => one.verifiedWith[0] === true)).toBe(true);

    const ready = app.accepted().find((one) => one.body.type === 'CHARACTER_READY');
    const read = await asAcme(
      'query($id: ID!) { task(id: $id) { character { id characterId } } }',
      {
        id: taskId,
      },
    );
    expect(ready?.body.data.result).toMatchObject({
      __typename: 'Character',
      ...read.data?.task.character,
    });

    // The receiver answered before the gateway recorded the answer.
    const nodes = await settledDeliveries(endpoint.id, events.length);
    for (const node of nodes) {
      expect(node).toMatchObject({ status: 'DELIVERED', task: { id: taskId } });
      expect(node.attempts).toEqual([
        expect.objectContaining({ statusCode: 200, excerpt: 'answered 200' }),
      ]);
    }
    expect(nodes.map((node) => node.webhookId).sort()).toEqual(
      app
        .accepted()
        .map((one) => one.id)
        .sort(),
    );
  });

  it('gets them in order even when the first ones fail: a later one waits for an earlier', async () => {
    const app = await receiver((n) => (n < 3 ? 503 : 200));
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ALL_EVENTS, ACME);
    app.secrets.push(endpoint.secret);
    const taskId = await createCharacterTask(t.graphqlUrl, 'in-order-failing', ACME);
    await waitFor(() => eventsOf(app, taskId).includes('CHARACTER_READY:SUCCESS'));
    expectInOrder(eventsOf(app, taskId));
    // The first event was refused three times, and nothing else was sent meanwhile.
    expect(new Set(app.received.slice(0, 4).map((one) => one.id)).size).toBe(1);
  });

  it('verifies with the old secret and the new one while a rotation overlaps', async () => {
    const app = await receiver();
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    const rotated = await asAcme(
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) {
        ... on RotateWebhookSecretSuccess { secret endpoint { previousSecretExpiresAt } } } }`,
      { id: endpoint.id },
    );
    const { secret, endpoint: after } = rotated.data?.rotateWebhookSecret ?? {};
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);
    const overlap = new Date(after.previousSecretExpiresAt).getTime() - Date.now();
    expect(overlap).toBeGreaterThan(23 * 3_600_000);
    app.secrets.push(endpoint.secret, secret, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');

    const taskId = await createCharacterTask(t.graphqlUrl, 'rotated', ACME);
    await waitFor(() => eventsOf(app, taskId).length === 1);
    // The old secret and the new verify it; a secret that was never the endpoint's does not.
    expect(app.received[0]?.verifiedWith).toEqual([true, true, false]);
  });

  it('gets a delivery later when it failed its first answers', async () => {
    // Refused, cut off, refused, then accepted.
    const app = await receiver((n) => (n === 1 ? 'drop' : n < 3 ? 503 : 200));
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    app.secrets.push(endpoint.secret);

    const taskId = await createCharacterTask(t.graphqlUrl, 'late', ACME);
    await waitFor(() => eventsOf(app, taskId).length === 1);
    expect(app.received.map((one) => one.answer)).toEqual([503, 'drop', 503, 200]);
    expect(new Set(app.received.map((one) => one.id)).size).toBe(1);

    const [delivery] = await settledDeliveries(endpoint.id, 1);
    expect(delivery?.attempts.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([
      503,
      null,
      503,
      200,
    ]);
    expect(delivery?.attempts[1].excerpt).toMatch(/connection failed|socket hang up/i);

    // Sent again on request, with the same webhook-id.
    const redelivered = await asAcme(
      'mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename } }',
      { id: delivery?.id },
    );
    expect(redelivered.data?.redeliverWebhook.__typename).toBe('RedeliverWebhookSuccess');
    await waitFor(() => eventsOf(app, taskId).length === 2);
    expect(app.accepted().map((one) => one.id)).toEqual([delivery?.webhookId, delivery?.webhookId]);
  });
});

describe('endpoints', () => {
  it("are their owner's alone", async () => {
    const app = await receiver();
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    const asGlobex = (query: string, variables: Record<string, unknown>) =>
      graphql(t.graphqlUrl, query, variables, GLOBEX);
    expect((await asGlobex('{ webhookEndpoints { id } }', {})).data?.webhookEndpoints).toEqual([]);
    expect(
      (await asGlobex(DELIVERIES, { endpoint: endpoint.id })).data?.webhookDeliveries,
    ).toBeNull();
    const deleted = await asGlobex(
      'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }',
      { id: endpoint.id },
    );
    expect(deleted.data?.deleteWebhookEndpoint.__typename).toBe('NotFoundError');
    // A task of globex's tells acme's endpoint nothing.
    const taskId = await createCharacterTask(t.graphqlUrl, 'globex', GLOBEX);
    await waitFor(async () => {
      const read = await asGlobex('query($id: ID!) { task(id: $id) { state } }', { id: taskId });
      return read.data?.task.state === 'SUCCESS';
    });
    const rows = await t.gateway.database.db.select().from(webhookDeliveries);
    expect(rows.filter((row) => row.owner === 'globex')).toEqual([]);
  });

  it('are updated, turned off and deleted; a task with deliveries can still be deleted', async () => {
    const app = await receiver();
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    const updated = await asAcme(
      `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
        __typename ... on UpdateWebhookEndpointSuccess { endpoint { events enabled } }
        ... on ValidationError { field } } }`,
      { input: { id: endpoint.id, events: [], enabled: false } },
    );
    expect(updated.data?.updateWebhookEndpoint).toEqual({
      __typename: 'ValidationError',
      field: 'events',
    });

    const turnedOff = await asAcme(
      `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
        ... on UpdateWebhookEndpointSuccess { endpoint { events enabled } } } }`,
      { input: { id: endpoint.id, events: ['TASK_STATE_CHANGED'], enabled: false } },
    );
    expect(turnedOff.data?.updateWebhookEndpoint.endpoint).toEqual({
      events: ['TASK_STATE_CHANGED'],
      enabled: false,
    });
    const taskId = await createCharacterTask(t.graphqlUrl, 'deleted', ACME);
    await waitFor(async () => {
      const read = await asAcme('query($id: ID!) { task(id: $id) { state } }', { id: taskId });
      return read.data?.task.state === 'SUCCESS';
    });
    expect(app.received).toEqual([]);

    const deletedTask = await asAcme('mutation($id: ID!) { deleteTask(id: $id) { __typename } }', {
      id: taskId,
    });
    expect(deletedTask.data?.deleteTask.__typename).toBe('DeleteSuccess');
    const deleted = await asAcme(
      'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }',
      { id: endpoint.id },
    );
    expect(deleted.data?.deleteWebhookEndpoint.__typename).toBe('DeleteWebhookEndpointSuccess');
  });

  it('are turned off after failing for 3 days, saying why, and back on when asked', async () => {
    const app = await receiver(() => 500);
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    // As if it had failed since three days and an hour ago.
    await t.gateway.database.db
      .update(webhookEndpoints)
      .set({ failingSince: new Date(Date.now() - 73 * 3_600_000) })
      .where(eq(webhookEndpoints.url, app.url));
    await createCharacterTask(t.graphqlUrl, 'failing', ACME);
    const READ = `query($id: ID!) { webhookEndpoint(id: $id) {
      enabled disabledReason disabledAt failingSince } }`;
    let read: Record<string, any> = {};
    await waitFor(async () => {
      read = (await asAcme(READ, { id: endpoint.id })).data?.webhookEndpoint;
      return read.enabled === false;
    });
    expect(read.disabledReason).toMatch(/failed for 72 hours/);
    expect(read.disabledAt).not.toBeNull();
    const attempts = app.received.length;

    app.answering = () => 200;
    const enabled = await asAcme(
      `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
        ... on UpdateWebhookEndpointSuccess { endpoint { enabled disabledReason failingSince } } } }`,
      { input: { id: endpoint.id, enabled: true } },
    );
    expect(enabled.data?.updateWebhookEndpoint.endpoint).toEqual({
      enabled: true,
      disabledReason: null,
      failingSince: null,
    });
    // What waited while it was off goes out now.
    await waitFor(() => app.accepted().length === 1);
    expect(app.received.length).toBe(attempts + 1);
  });

  it('never show a secret again, nor log it', async () => {
    const app = await receiver();
    const endpoint = await createEndpoint(t.graphqlUrl, app.url, ['TASK_ENDED'], ACME);
    const listed = await asAcme('{ webhookEndpoints { id url events enabled } }');
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);
    const key = endpoint.secret.slice('whsec_'.length);
    expect(t.logs.join('\n')).not.toContain(key);
  });

  it('count deliveries on /metrics', async () => {
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_webhook_deliveries_total\{result="delivered"\} [1-9]/);
    expect(metrics).toMatch(/gateway_webhook_retry_backlog \d/);
    expect(metrics).toMatch(/gateway_webhook_oldest_pending_seconds \d/);
  });
});
