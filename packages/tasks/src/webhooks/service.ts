import {
  countWebhookDeliveries,
  createWebhookEndpoint,
  type Database,
  deleteWebhookEndpoint,
  findWebhookDelivery,
  findWebhookEndpoint,
  isRowId,
  listWebhookDeliveries,
  listWebhookEndpoints,
  type Page,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookAttemptRow,
  type WebhookDeliveryListOptions,
  type WebhookDeliveryRow,
  type WebhookEndpointChange,
  type WebhookEndpointRow,
  type WebhookEvent,
  webhookAttemptsOf,
} from '@charanim/db';
import type { Logger } from '../logger.ts';
import { newWebhookSecret } from './secrets.ts';
import type { WebhookTransport } from './transport.ts';

/** How long a rotated secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
const MAX_URL_LENGTH = 2_000;
const MAX_DESCRIPTION_LENGTH = 500;

export interface WebhookEndpointInput {
  url: string;
  events: WebhookEvent[];
  description?: string | null | undefined;
}

/** An input refused, naming its field; nothing was written. */
export interface WebhookInputError {
  kind: 'invalid';
  field: string;
  message: string;
}

/** The endpoint, with `Extra` (its signing secret where it was just made: shown this once). */
export type WebhookEndpointFound<Extra = object> = {
  kind: 'endpoint';
  endpoint: WebhookEndpointRow;
} & Extra;

/** No endpoint of the owner's has the id. */
export interface WebhookEndpointNotFound {
  kind: 'not-found';
}

type WithSecret = WebhookEndpointFound<{ secret: string }>;

/** An owner's webhook endpoints and their deliveries. */
export interface WebhookService {
  create(owner: string, input: WebhookEndpointInput): Promise<WithSecret | WebhookInputError>;
  list(owner: string): Promise<WebhookEndpointRow[]>;
  find(owner: string, id: string): Promise<WebhookEndpointRow | undefined>;
  update(
    owner: string,
    id: string,
    change: WebhookEndpointChange,
  ): Promise<WebhookEndpointFound | WebhookInputError | WebhookEndpointNotFound>;
  /** A new secret; the previous one signs beside it for SECRET_OVERLAP_MS. */
  rotateSecret(owner: string, id: string): Promise<WithSecret | WebhookEndpointNotFound>;
  delete(owner: string, id: string): Promise<boolean>;
  deliveries(
    owner: string,
    endpointId: string,
    options: WebhookDeliveryListOptions,
  ): Promise<Page<WebhookDeliveryRow>>;
  /** How many deliveries a list holds over all its pages. */
  countDeliveries(
    owner: string,
    endpointId: string,
    filter: WebhookDeliveryListOptions['filter'],
  ): Promise<number>;
  delivery(owner: string, id: string): Promise<WebhookDeliveryRow | undefined>;
  attempts(deliveryId: string): Promise<WebhookAttemptRow[]>;
  redeliver(owner: string, deliveryId: string): Promise<WebhookDeliveryRow | undefined>;
}

export interface WebhookServiceDeps {
  db: Database;
  transport: Pick<WebhookTransport, 'check'>;
  logger: Logger;
  /** Refuses `http:` endpoints (in production). */
  requireHttps: boolean;
}

export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { db, logger } = deps;
  const found = <Extra extends object>(
    endpoint: WebhookEndpointRow | undefined,
    extra: Extra,
  ): WebhookEndpointFound<Extra> | WebhookEndpointNotFound =>
    endpoint ? { kind: 'endpoint', endpoint, ...extra } : { kind: 'not-found' };
  return {
    async create(owner, input) {
      const refused = (await checkUrl(deps, input.url)) ?? checkRest(input);
      if (refused) return refused;
      const secret = newWebhookSecret();
      const endpoint = await createWebhookEndpoint(db, owner, {
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description ?? null,
        secret,
      });
      logger.info({ owner, endpoint: endpoint.id }, 'webhook endpoint created');
      return { kind: 'endpoint', endpoint, secret };
    },
    list: (owner) => listWebhookEndpoints(db, owner),
    find: (owner, id) =>
      isRowId(id) ? findWebhookEndpoint(db, owner, id) : Promise.resolve(undefined),
    async update(owner, id, change) {
      if (!isRowId(id)) return { kind: 'not-found' };
      const refused =
        (change.url === undefined ? undefined : await checkUrl(deps, change.url)) ??
        checkRest(change);
      if (refused) return refused;
      const events = change.events && [...new Set(change.events)];
      return found(await updateWebhookEndpoint(db, owner, id, { ...change, events }), {});
    },
    async rotateSecret(owner, id) {
      if (!isRowId(id)) return { kind: 'not-found' };
      const secret = newWebhookSecret();
      const endpoint = await rotateWebhookSecret(db, owner, id, secret, SECRET_OVERLAP_MS);
      if (endpoint) logger.info({ owner, endpoint: id }, 'webhook secret rotated');
      return found(endpoint, { secret });
    },
    delete: (owner, id) =>
      isRowId(id) ? deleteWebhookEndpoint(db, owner, id) : Promise.resolve(false),
    deliveries: (owner, endpointId, options) =>
      listWebhookDeliveries(db, owner, endpointId, options),
    countDeliveries: (owner, endpointId, filter) =>
      countWebhookDeliveries(db, owner, endpointId, filter),
    delivery: (owner, id) =>
      isRowId(id) ? findWebhookDelivery(db, owner, id) : Promise.resolve(undefined),
    attempts: (deliveryId) => webhookAttemptsOf(db, [deliveryId]),
    redeliver: (owner, id) =>
      isRowId(id) ? redeliverWebhook(db, owner, id) : Promise.resolve(undefined),
  };
}

const invalid = (field: string, message: string): WebhookInputError => ({
  kind: 'invalid',
  field,
  message,
});

async function checkUrl(
  deps: WebhookServiceDeps,
  text: string,
): Promise<WebhookInputError | undefined> {
  if (text.length > MAX_URL_LENGTH)
    return invalid('url', `a URL of at most ${MAX_URL_LENGTH} characters`);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return invalid('url', 'an absolute http or https URL');
  }
  if (deps.requireHttps && url.protocol !== 'https:') {
    return invalid(
      'url',
      'an https URL: this gateway runs in production and sends nothing in clear',
    );
  }
  if (url.username || url.password) return invalid('url', 'a URL without a user name or password');
  const refused = await deps.transport.check(url);
  return refused === undefined ? undefined : invalid('url', refused);
}

function checkRest(input: {
  events?: WebhookEvent[] | undefined;
  description?: string | null | undefined;
}): WebhookInputError | undefined {
  if (input.events !== undefined && input.events.length === 0) {
    return invalid('events', 'at least one event');
  }
  if ((input.description?.length ?? 0) > MAX_DESCRIPTION_LENGTH) {
    return invalid('description', `at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return undefined;
}
