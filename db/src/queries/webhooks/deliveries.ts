import { and, asc, count, desc, eq, inArray, lt, lte, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../database.ts';
import {
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEvent,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from '../../schema.ts';
import { olderThan, type Page, type Position, toPage } from '../cursor.ts';

const deliveries = webhookDeliveries;
const earlier = alias(webhookDeliveries, 'earlier');

/**
 * Leases up to `limit` due deliveries to `instance`, oldest first: their next attempt moves to the
 * end of the lease, so that no other instance sends them meanwhile, and the deliveries of an
 * instance that died are due again once their leases end. A delivery waits while an earlier one
 * of its task to the same endpoint is pending, so that an app hears of a task in order. SKIP
 * LOCKED lets instances claiming together split the due deliveries; the database's clock decides.
 */
export async function claimDueDeliveries(
  db: Executor,
  instance: string,
  limit: number,
  leaseMs: number,
): Promise<WebhookDeliveryRow[]> {
  const due = db
    .select({ id: deliveries.id })
    .from(deliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, deliveries.endpointId))
    .where(
      and(
        eq(deliveries.status, 'pending'),
        lte(deliveries.nextAttemptAt, sql`now()`),
        eq(webhookEndpoints.enabled, true),
        notExists(
          db
            .select({ one: sql`1` })
            .from(earlier)
            .where(
              and(
                eq(earlier.taskId, deliveries.taskId),
                eq(earlier.endpointId, deliveries.endpointId),
                eq(earlier.status, 'pending'),
                lt(earlier.seq, deliveries.seq),
              ),
            ),
        ),
      ),
    )
    .orderBy(deliveries.seq)
    .limit(limit)
    .for('update', { of: deliveries, skipLocked: true })
    .as('due');
  const rows = await db
    .update(deliveries)
    .set({
      nextAttemptAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
      leasedBy: instance,
    })
    .from(due)
    .where(eq(deliveries.id, due.id))
    .returning();
  return rows.sort((a, b) => a.seq - b.seq);
}

/** What one attempt got back. */
export interface WebhookAttemptOutcome {
  /** A 2xx answer. */
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string;
}

/** After a failed attempt: try again in `retryInMs`, or give the delivery up. */
export type WebhookRetry = { retryInMs: number } | { giveUp: true };

/**
 * Records an attempt of a leased delivery and what follows it, in one transaction: the delivery
 * delivered, due again later or given up; its endpoint failing since its first failure without a
 * success since, and turned off once that is `disableAfterMs` ago. False when the lease was lost
 * (it ran out and another instance took the delivery): the attempt is kept all the same.
 */
export async function recordWebhookAttempt(
  db: Executor,
  leased: WebhookDeliveryRow,
  outcome: WebhookAttemptOutcome,
  retry: WebhookRetry,
  disableAfterMs: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: leased.id,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      excerpt: outcome.excerpt,
    });
    const next = outcome.ok
      ? { status: 'delivered' as const, deliveredAt: sql`now()` }
      : 'giveUp' in retry
        ? { status: 'failed' as const }
        : { nextAttemptAt: sql`now() + ${retry.retryInMs} * interval '1 millisecond'` };
    const kept = await tx
      .update(deliveries)
      .set({ ...next, attempts: sql`${deliveries.attempts} + 1`, leasedBy: null })
      .where(
        and(
          eq(deliveries.id, leased.id),
          eq(deliveries.status, 'pending'),
          eq(deliveries.nextAttemptAt, leased.nextAttemptAt),
        ),
      )
      .returning({ id: deliveries.id });
    const failingSince = sql`coalesce(${webhookEndpoints.failingSince}, now())`;
    const expired = sql`${failingSince} <= now() - ${disableAfterMs} * interval '1 millisecond'`;
    await tx
      .update(webhookEndpoints)
      .set(
        outcome.ok
          ? { failingSince: null }
          : {
              failingSince,
              enabled: sql`${webhookEndpoints.enabled} and not (${expired})`,
              disabledAt: sql`case when ${expired} then now() else ${webhookEndpoints.disabledAt} end`,
              disabledReason: sql`case when ${expired} then ${disabledReason(disableAfterMs)} else ${webhookEndpoints.disabledReason} end`,
            },
      )
      .where(eq(webhookEndpoints.id, leased.endpointId));
    return kept.length > 0;
  });
}

function disabledReason(disableAfterMs: number): string {
  const hours = Math.round(disableAfterMs / 3_600_000);
  return `its deliveries failed for ${hours} hours without a success: turn it on again (updateWebhookEndpoint, enabled: true) once it answers 2xx`;
}

export interface WebhookDeliveryFilter {
  status?: WebhookDeliveryRow['status'] | undefined;
  event?: WebhookEvent | undefined;
  /** Only the deliveries of this task (our id). */
  taskId?: string | undefined;
}

export interface WebhookDeliveryListOptions {
  first: number;
  after?: Position | undefined;
  filter?: WebhookDeliveryFilter | undefined;
}

function deliveryConditions(owner: string, endpointId: string, filter: WebhookDeliveryFilter) {
  return [
    eq(deliveries.owner, owner),
    eq(deliveries.endpointId, endpointId),
    filter.status === undefined ? undefined : eq(deliveries.status, filter.status),
    filter.event === undefined ? undefined : eq(deliveries.event, filter.event),
    filter.taskId === undefined ? undefined : eq(deliveries.taskId, filter.taskId),
  ];
}

/** An endpoint's deliveries, newest first; the endpoint must be the owner's. */
export async function listWebhookDeliveries(
  db: Executor,
  owner: string,
  endpointId: string,
  { first, after, filter = {} }: WebhookDeliveryListOptions,
): Promise<Page<WebhookDeliveryRow>> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(...deliveryConditions(owner, endpointId, filter), olderThan(deliveries, after)))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(first + 1);
  return toPage(rows, first);
}

export async function findWebhookDelivery(
  db: Executor,
  owner: string,
  id: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.owner, owner), eq(deliveries.id, id)));
  return row;
}

/** How many deliveries a list holds over all its pages. */
export async function countWebhookDeliveries(
  db: Executor,
  owner: string,
  endpointId: string,
  filter: WebhookDeliveryFilter = {},
): Promise<number> {
  const [row] = await db
    .select({ count: count() })
    .from(deliveries)
    .where(and(...deliveryConditions(owner, endpointId, filter)));
  return row?.count ?? 0;
}

/** Each delivery's attempts, oldest first. */
export async function webhookAttemptsOf(
  db: Executor,
  deliveryIds: string[],
): Promise<WebhookAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, deliveryIds))
    .orderBy(asc(webhookAttempts.attemptedAt), asc(webhookAttempts.id));
}

/**
 * Sends a delivery of the owner's again, soon, whatever became of it: the same `webhook-id`, so
 * that an app that had it knows it again; retried afresh from now.
 */
export async function redeliverWebhook(
  db: Executor,
  owner: string,
  id: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .update(deliveries)
    .set({
      status: 'pending',
      nextAttemptAt: sql`now()`,
      pendingSince: sql`now()`,
      leasedBy: null,
      deliveredAt: null,
    })
    .where(and(eq(deliveries.owner, owner), eq(deliveries.id, id)))
    .returning();
  return row;
}

/** An endpoint by id, for the sender, whoever owns it. */
export async function webhookEndpointById(db: Executor, id: string) {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row;
}

/** The pending deliveries, for metrics: how many, how many of them failed before, the oldest. */
export async function webhookBacklog(
  db: Executor,
): Promise<{ pending: number; retrying: number; oldestPendingAt: Date | null }> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*)`.mapWith(Number),
      retrying: sql<number>`count(*) filter (where ${deliveries.attempts} > 0)`.mapWith(Number),
      oldestPendingAt: sql<string | null>`min(${deliveries.createdAt})`,
    })
    .from(deliveries)
    .where(eq(deliveries.status, 'pending'));
  const oldest = row?.oldestPendingAt;
  return {
    pending: row?.pending ?? 0,
    retrying: row?.retrying ?? 0,
    oldestPendingAt: oldest ? new Date(oldest) : null,
  };
}
