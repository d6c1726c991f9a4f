import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { type WebhookEndpointRow, type WebhookEvent, webhookEndpoints } from '../../schema.ts';

export interface NewWebhookEndpoint {
  url: string;
  events: WebhookEvent[];
  description: string | null;
  secret: string;
}

export async function createWebhookEndpoint(
  db: Executor,
  owner: string,
  endpoint: NewWebhookEndpoint,
): Promise<WebhookEndpointRow> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ owner, ...endpoint })
    .returning();
  if (!row) throw new Error('insert into webhook_endpoints returned no row');
  return row;
}

/** The owner's endpoints, oldest first. */
export async function listWebhookEndpoints(
  db: Executor,
  owner: string,
): Promise<WebhookEndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.owner, owner))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
}

export async function findWebhookEndpoint(
  db: Executor,
  owner: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.owner, owner), eq(webhookEndpoints.id, id)));
  return row;
}

export interface WebhookEndpointChange {
  url?: string | undefined;
  events?: WebhookEvent[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/**
 * Changes what was given; turning an endpoint on clears why the gateway turned it off and its
 * failures, so that it gets a fresh three days.
 */
export async function updateWebhookEndpoint(
  db: Executor,
  owner: string,
  id: string,
  change: WebhookEndpointChange,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...(change.url !== undefined && { url: change.url }),
      ...(change.events !== undefined && { events: change.events }),
      ...(change.description !== undefined && { description: change.description }),
      ...(change.enabled !== undefined && { enabled: change.enabled }),
      ...(change.enabled === true && {
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
      }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(webhookEndpoints.owner, owner), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

/** Makes `secret` the endpoint's; the one it replaces keeps signing for `overlapMs`. */
export async function rotateWebhookSecret(
  db: Executor,
  owner: string,
  id: string,
  secret: string,
  overlapMs: number,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      secret,
      previousSecret: webhookEndpoints.secret,
      previousSecretExpiresAt: sql`now() + ${overlapMs} * interval '1 millisecond'`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(webhookEndpoints.owner, owner), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

/** Deletes the endpoint with its deliveries; false when the owner has no such endpoint. */
export async function deleteWebhookEndpoint(
  db: Executor,
  owner: string,
  id: string,
): Promise<boolean> {
  const deleted = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.owner, owner), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return deleted.length > 0;
}
