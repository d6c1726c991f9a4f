import {
  claimDueDeliveries,
  type Database,
  findTaskById,
  recordWebhookAttempt,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  type WebhookRetry,
  webhookEndpointById,
} from '@charanim/db';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../logger.ts';
import { type GlobalId, webhookPayload } from './payload.ts';
import type { WebhookTransport } from './transport.ts';

/** What became of one attempt, for metrics. */
export type DeliveryResult = 'delivered' | 'retry' | 'failed';

export interface WebhookSenderOptions {
  /** Names this instance in the deliveries it leases. */
  instance: string;
  /** How long an instance holds a delivery it sends: more than an attempt's time limit. */
  leaseMs: number;
  /** The first retry's delay; each next one doubles, up to `retryMaxMs`, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a delivery is retried before it is given up. */
  retryForMs: number;
  /** How long an endpoint may fail without a success before it is turned off. */
  disableAfterMs: number;
  /** How many deliveries one tick sends at most. */
  batchSize: number;
  onResult?: (result: DeliveryResult) => void;
}

export interface WebhookSenderDeps {
  db: Database;
  transport: WebhookTransport;
  globalId: GlobalId;
  logger: Logger;
  /** The clock, in ms: injected so that tests may move it. */
  now?: () => number;
  /** In [0, 1): the jitter's source. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (1 for the first): exponential, capped, and spread over
 * its upper half at random, so that the deliveries that failed together do not retry together.
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Sends the outbox: each tick leases the due deliveries, signs each as Standard Webhooks says
 * (with the endpoint's secret, and during a rotation its previous one too), posts it, and records
 * the attempt with its retry. A delivery is sent at least once: an instance that dies holding one
 * leaves it to be taken over when its lease ends, so an app may see a `webhook-id` twice.
 */
export class WebhookSender {
  readonly #deps: WebhookSenderDeps;
  readonly #options: WebhookSenderOptions;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(deps: WebhookSenderDeps, options: WebhookSenderOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Sends the due deliveries once; returns how many it attempted. */
  async tick(): Promise<number> {
    const { db } = this.#deps;
    const { instance, batchSize, leaseMs } = this.#options;
    const leased = await claimDueDeliveries(db, instance, batchSize, leaseMs);
    await Promise.all(leased.map((delivery) => this.#send(delivery)));
    return leased.length;
  }

  async #send(delivery: WebhookDeliveryRow): Promise<void> {
    const { db, logger } = this.#deps;
    try {
      const [endpoint, task] = await Promise.all([
        webhookEndpointById(db, delivery.endpointId),
        findTaskById(db, delivery.taskId),
      ]);
      // Both cascade to their deliveries: gone since the lease, there is nothing left to send.
      if (!endpoint || !task) return;
      const body = JSON.stringify(await webhookPayload(db, this.#deps.globalId, delivery, task));
      const headers = this.#signed(endpoint, `msg_${delivery.id}`, body);
      const started = this.#now();
      const answer = await this.#deps.transport.post(endpoint.url, headers, body);
      const latencyMs = Math.max(0, Math.round(this.#now() - started));
      const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
      const retry = this.#retryAfter(delivery);
      await recordWebhookAttempt(
        db,
        delivery,
        { ok, latencyMs, ...answer },
        retry,
        this.#options.disableAfterMs,
      );
      const result: DeliveryResult = ok ? 'delivered' : 'giveUp' in retry ? 'failed' : 'retry';
      this.#options.onResult?.(result);
      logger.info(
        {
          delivery: delivery.id,
          endpoint: endpoint.id,
          task: task.id,
          event: delivery.event,
          statusCode: answer.statusCode,
          latencyMs,
          result,
        },
        'webhook delivery attempted',
      );
    } catch (error) {
      // The lease runs out and another tick tries again.
      logger.error({ err: error, delivery: delivery.id }, 'webhook delivery could not be sent');
    }
  }

  /** The Standard Webhooks headers, signed with every secret that signs now. */
  #signed(endpoint: WebhookEndpointRow, id: string, body: string): Record<string, string> {
    const now = this.#now();
    const secrets = [endpoint.secret];
    const previousUntil = endpoint.previousSecretExpiresAt?.getTime() ?? 0;
    if (endpoint.previousSecret && previousUntil > now) secrets.push(endpoint.previousSecret);
    const at = new Date(now);
    const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body));
    return {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  #retryAfter(delivery: WebhookDeliveryRow): WebhookRetry {
    const { retryBaseMs, retryMaxMs, retryForMs } = this.#options;
    if (this.#now() - delivery.pendingSince.getTime() >= retryForMs) return { giveUp: true };
    return { retryInMs: retryDelay(delivery.attempts + 1, retryBaseMs, retryMaxMs, this.#random) };
  }
}
