import type {
  WebhookEndpointFound,
  WebhookEndpointNotFound,
  WebhookEndpointRow,
  WebhookInputError,
  webhookEvents,
} from '@charanim/tasks';
import { builder } from './builder.ts';
import {
  NotFoundError,
  notFoundError,
  ValidationError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';
import { findByGlobalId, rowIdOf } from './ids.ts';

/**
 * Webhook endpoints: where an owner's app is told of its tasks, signed as Standard Webhooks says.
 * The secret is answered once, by the mutation that makes it.
 */

const eventValues: Record<(typeof webhookEvents)[number], { description: string }> = {
  TASK_ENDED: { description: 'A task ended: SUCCESS or FAIL.' },
  TASK_STATE_CHANGED: { description: 'A task entered any new state (its end included).' },
  CHARACTER_READY: { description: 'A task made a character: it ended SUCCESS.' },
  VIDEO_READY: { description: 'A task made a video: it ended SUCCESS.' },
};

export const WebhookEvent = builder.enumType('WebhookEvent', {
  description: "What an endpoint is told of; a delivery's body names it in `type`.",
  values: eventValues,
});

export const WebhookEndpoint = builder.objectRef<WebhookEndpointRow>('WebhookEndpoint');

builder.node(WebhookEndpoint, {
  id: { resolve: (endpoint) => endpoint.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'failingSince' in value,
  loadOne: (id, ctx) => ctx.webhooks.find(ctx.viewer.owner, id),
  description:
    'Where your app is told of your tasks: each event it asked for is POSTed to its URL, signed (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), at least once, in order for each task.',
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.expose('events', { type: [WebhookEvent] }),
    description: t.exposeString('description', { nullable: true }),
    enabled: t.exposeBoolean('enabled', {
      description: 'Off, nothing is sent; what happens meanwhile waits and goes out once it is on.',
    }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why the gateway turned it off: its deliveries failed for 3 days.',
    }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    failingSince: t.expose('failingSince', {
      type: 'DateTime',
      nullable: true,
      description: 'Since when its deliveries fail without a success; null while they succeed.',
    }),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'After rotateWebhookSecret: until when the previous secret signs too (a second signature in `webhook-signature`).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

interface EndpointWithSecret {
  kind: 'endpoint';
  endpoint: WebhookEndpointRow;
  secret: string;
}

const secretField = {
  description:
    'The signing secret (`whsec_…`), shown this once: give it to your app, which verifies each delivery with it (any Standard Webhooks library).',
};

const CreateWebhookEndpointSuccess = builder
  .objectRef<EndpointWithSecret>('CreateWebhookEndpointSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'endpoint',
    fields: (t) => ({
      endpoint: t.expose('endpoint', { type: WebhookEndpoint }),
      secret: t.exposeString('secret', secretField),
    }),
  });

const RotateWebhookSecretSuccess = builder
  .objectRef<EndpointWithSecret>('RotateWebhookSecretSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'endpoint',
    fields: (t) => ({
      endpoint: t.expose('endpoint', { type: WebhookEndpoint }),
      secret: t.exposeString('secret', {
        description: `${secretField.description} The previous secret signs beside it for 24 hours (\`endpoint.previousSecretExpiresAt\`).`,
      }),
    }),
  });

const UpdateWebhookEndpointSuccess = builder
  .objectRef<{ kind: 'endpoint'; endpoint: WebhookEndpointRow }>('UpdateWebhookEndpointSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'endpoint',
    fields: (t) => ({ endpoint: t.expose('endpoint', { type: WebhookEndpoint }) }),
  });

const DeleteWebhookEndpointSuccess = builder
  .objectRef<{ kind: 'deleted'; id: string }>('DeleteWebhookEndpointSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'deleted',
    fields: (t) => ({
      deletedId: t.exposeID('id', {
        description: 'The endpoint deleted, with its deliveries (those pending are not sent).',
      }),
    }),
  });

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({
      required: true,
      description:
        'Where to POST: https in production; its host must resolve to public addresses (unless WEBHOOK_ALLOW_PRIVATE).',
    }),
    events: t.field({ type: [WebhookEvent], required: true }),
    description: t.string({ description: 'For you: at most 500 characters.' }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'What is left out stays as it is.',
  fields: (t) => ({
    id: t.id({ required: true }),
    url: t.string(),
    events: t.field({ type: [WebhookEvent] }),
    description: t.string(),
    enabled: t.boolean({
      description:
        'true turns it on again after the gateway turned it off, with a fresh 3 days to fail.',
    }),
  }),
});

const CreateWebhookEndpointResult = builder.unionType('CreateWebhookEndpointResult', {
  types: [CreateWebhookEndpointSuccess, ValidationError],
});
const UpdateWebhookEndpointResult = builder.unionType('UpdateWebhookEndpointResult', {
  types: [UpdateWebhookEndpointSuccess, ValidationError, NotFoundError],
});
const RotateWebhookSecretResult = builder.unionType('RotateWebhookSecretResult', {
  types: [RotateWebhookSecretSuccess, NotFoundError],
});
const DeleteWebhookEndpointResult = builder.unionType('DeleteWebhookEndpointResult', {
  types: [DeleteWebhookEndpointSuccess, NotFoundError],
});

type Outcome = WebhookEndpointFound | WebhookInputError | WebhookEndpointNotFound;

/** A service outcome as a mutation answers it: its refusals as the schema's errors. */
type Answered<O> = O extends WebhookInputError
  ? ValidationErrorShape
  : O extends WebhookEndpointNotFound
    ? ReturnType<typeof notFoundError>
    : O;

function answer<O extends Outcome>(outcome: O, id: string): Answered<O> {
  switch (outcome.kind) {
    case 'invalid': {
      const { field, message } = outcome as WebhookInputError;
      return validationError(field, `${field}: ${message}`) as Answered<O>;
    }
    case 'not-found':
      return notFoundError('webhook endpoint', id) as Answered<O>;
    default:
      return outcome as Answered<O>;
  }
}

const ENDPOINT = 'WebhookEndpoint';

builder.queryFields((t) => ({
  webhookEndpoints: t.field({
    type: [WebhookEndpoint],
    description: 'Your webhook endpoints, oldest first.',
    resolve: (_root, _args, ctx) => ctx.webhooks.list(ctx.viewer.owner),
  }),
  webhookEndpoint: t.field({
    type: WebhookEndpoint,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), ENDPOINT, (id) => ctx.webhooks.find(ctx.viewer.owner, id)),
  }),
}));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreateWebhookEndpointResult,
    description:
      'Registers an endpoint that is told of your tasks from now on, and answers its signing secret once.',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      answer(
        await ctx.webhooks.create(ctx.viewer.owner, {
          url: input.url,
          events: input.events,
          description: input.description,
        }),
        '',
      ),
  }),
  updateWebhookEndpoint: t.field({
    type: UpdateWebhookEndpointResult,
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = rowIdOf(String(input.id), ENDPOINT);
      if (!id) return notFoundError('webhook endpoint', String(input.id));
      const outcome = await ctx.webhooks.update(ctx.viewer.owner, id, {
        url: input.url ?? undefined,
        events: input.events ?? undefined,
        description: input.description,
        enabled: input.enabled ?? undefined,
      });
      return answer(outcome, String(input.id));
    },
  }),
  rotateWebhookSecret: t.field({
    type: RotateWebhookSecretResult,
    description:
      'Gives the endpoint a new signing secret, answered once; the previous one signs beside it for 24 hours, so that your app can switch without missing a delivery.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = rowIdOf(String(args.id), ENDPOINT);
      if (!id) return notFoundError('webhook endpoint', String(args.id));
      return answer(await ctx.webhooks.rotateSecret(ctx.viewer.owner, id), String(args.id));
    },
  }),
  deleteWebhookEndpoint: t.field({
    type: DeleteWebhookEndpointResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = rowIdOf(String(args.id), ENDPOINT);
      const deleted = id ? await ctx.webhooks.delete(ctx.viewer.owner, id) : false;
      return deleted
        ? { kind: 'deleted' as const, id: String(args.id) }
        : notFoundError('webhook endpoint', String(args.id));
    },
  }),
}));
