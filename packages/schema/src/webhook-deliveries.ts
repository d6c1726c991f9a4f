import type { WebhookAttemptRow, WebhookDeliveryRow } from '@charanim/tasks';
import { builder } from './builder.ts';
import { pageArgs, toConnection, totalCount } from './connection.ts';
import { NotFoundError, notFoundError } from './errors.ts';
import { rowIdOf } from './ids.ts';
import { Task } from './refs.ts';
import { TaskState } from './task.ts';
import { WebhookEvent } from './webhook-endpoint.ts';

/** What became of deliveries, and how to send one again. */

const WebhookDeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { description: 'Not answered 2xx yet: sent at its next attempt.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: {
      description: 'Given up after 3 days of failed attempts; redeliverWebhook sends it again.',
    },
  },
});

const WebhookAttempt = builder.objectRef<WebhookAttemptRow>('WebhookAttempt').implement({
  description: 'One POST of a delivery, and what came back.',
  fields: (t) => ({
    attemptedAt: t.expose('attemptedAt', { type: 'DateTime' }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description:
        'The HTTP status; null when no answer came (a timeout after 5 s, a refused address, a lost connection).',
    }),
    latencyMs: t.exposeInt('latencyMs'),
    excerpt: t.exposeString('excerpt', {
      description: "The answer's first 300 characters, or why there was none.",
    }),
  }),
});

const WebhookDelivery = builder.objectRef<WebhookDeliveryRow>('WebhookDelivery');

builder.node(WebhookDelivery, {
  id: { resolve: (delivery) => delivery.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'pendingSince' in value,
  loadOne: (id, ctx) => ctx.webhooks.delivery(ctx.viewer.owner, id),
  description: 'One event for one endpoint, sent until the endpoint answers 2xx.',
  fields: (t) => ({
    webhookId: t.string({
      description:
        'Its `webhook-id` header: the same on every attempt and redelivery, so that your app can tell a repeat.',
      resolve: (delivery) => `msg_${delivery.id}`,
    }),
    event: t.expose('event', { type: WebhookEvent }),
    state: t.expose('state', {
      type: TaskState,
      description: 'The state the task entered.',
    }),
    task: t.field({
      type: Task,
      nullable: true,
      resolve: async (delivery, _args, ctx) =>
        (await ctx.tasks.find(delivery.owner, delivery.taskId)) ?? null,
    }),
    status: t.field({
      type: WebhookDeliveryStatus,
      resolve: (delivery) => statusOf[delivery.status],
    }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it is sent next, while PENDING.',
      resolve: (delivery) => (delivery.status === 'pending' ? delivery.nextAttemptAt : null),
    }),
    attempts: t.field({
      type: [WebhookAttempt],
      description: 'Every attempt, oldest first.',
      resolve: (delivery, _args, ctx) => ctx.webhooks.attempts(delivery.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

const statusOf = { pending: 'PENDING', delivered: 'DELIVERED', failed: 'FAILED' } as const;
const statusFrom = { PENDING: 'pending', DELIVERED: 'delivered', FAILED: 'failed' } as const;

const WebhookDeliveryConnection = builder.connectionObject({
  type: WebhookDelivery,
  name: 'WebhookDeliveryConnection',
  fields: (t) => ({ totalCount: t.int(totalCount) }),
});

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({
    status: t.field({ type: WebhookDeliveryStatus }),
    event: t.field({ type: WebhookEvent }),
    task: t.id({ description: 'Only the deliveries of this task.' }),
  }),
});

/** No task has this id: a filter by it matches nothing, as an unknown id should. */
const NO_TASK = '00000000-0000-0000-0000-000000000000';

builder.queryFields((t) => ({
  webhookDeliveries: t.field({
    type: WebhookDeliveryConnection,
    nullable: true,
    description:
      "An endpoint's deliveries, newest first, with each attempt; null when you have no such endpoint.",
    args: {
      endpoint: t.arg.id({ required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
      filter: t.arg({ type: WebhookDeliveryFilter }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      const endpointId = rowIdOf(String(args.endpoint), 'WebhookEndpoint');
      const endpoint = endpointId && (await ctx.webhooks.find(ctx.viewer.owner, endpointId));
      if (!endpoint) return null;
      const { status, event, task } = args.filter ?? {};
      const filter = {
        status: status ? statusFrom[status] : undefined,
        event: event ?? undefined,
        taskId: task ? (rowIdOf(String(task), 'Task') ?? NO_TASK) : undefined,
      };
      const rows = await ctx.webhooks.deliveries(ctx.viewer.owner, endpoint.id, {
        ...page,
        filter,
      });
      return toConnection(
        rows,
        page.after !== undefined,
        (delivery) => ({ node: delivery, position: delivery }),
        () => ctx.webhooks.countDeliveries(ctx.viewer.owner, endpoint.id, filter),
      );
    },
  }),
}));

const RedeliverWebhookSuccess = builder
  .objectRef<{ kind: 'redelivered'; delivery: WebhookDeliveryRow }>('RedeliverWebhookSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'redelivered',
    fields: (t) => ({ delivery: t.expose('delivery', { type: WebhookDelivery }) }),
  });

const RedeliverWebhookResult = builder.unionType('RedeliverWebhookResult', {
  types: [RedeliverWebhookSuccess, NotFoundError],
});

builder.mutationFields((t) => ({
  redeliverWebhook: t.field({
    type: RedeliverWebhookResult,
    description:
      'Sends a delivery again within a second or so, whatever became of it, with the same `webhook-id`; retried afresh for 3 days if it fails. Its endpoint must be enabled.',
    args: { deliveryId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = rowIdOf(String(args.deliveryId), 'WebhookDelivery');
      const delivery = id && (await ctx.webhooks.redeliver(ctx.viewer.owner, id));
      return delivery
        ? { kind: 'redelivered' as const, delivery }
        : notFoundError('webhook delivery', String(args.deliveryId));
    },
  }),
}));
