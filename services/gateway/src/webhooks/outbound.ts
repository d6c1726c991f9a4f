import { type Database, webhookBacklog } from '@charanim/db';
import { globalId } from '@charanim/schema';
import {
  createWebhookService,
  type Logger,
  WebhookSender,
  type WebhookService,
} from '@charanim/tasks';
import { Gauge } from 'prom-client';
import type { Config } from '../config.ts';
import { every, type Repeating } from '../every.ts';
import type { Metrics } from '../metrics/registry.ts';
import { webhookTransport } from './transport.ts';

/** A delivery is retried for 3 days, and an endpoint failing that long is turned off. */
const RETRY_FOR_MS = 3 * 24 * 3_600_000;
/** Deliveries one round of one instance sends at most, at once. */
const BATCH_SIZE = 20;
/**
 * Rounds of a tick: a task's next delivery is due once the one before it is delivered, so a
 * round that sent something is followed by another at once, rather than a tick later (a task's
 * three events at its end would otherwise take three ticks).
 */
const MAX_ROUNDS = 10;

export interface Outbound {
  service: WebhookService;
  sender: WebhookSender;
  /** Starts the sender's timer. */
  start(): void;
  /** Stops the timer and waits for the tick in flight. */
  stop(): Promise<void>;
}

/** Webhooks to clients' apps: the endpoints' service, the sender and its timer, their metrics. */
export function createOutbound(
  config: Config,
  db: Database,
  logger: Logger,
  metrics: Metrics,
): Outbound {
  const transport = webhookTransport({
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
  });
  const service = createWebhookService({
    db,
    transport,
    logger,
    requireHttps: config.production,
  });
  const sender = new WebhookSender(
    { db, transport, logger, globalId },
    {
      instance: config.INSTANCE_NAME,
      leaseMs: config.WEBHOOK_LEASE_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
      retryForMs: RETRY_FOR_MS,
      disableAfterMs: RETRY_FOR_MS,
      batchSize: BATCH_SIZE,
      onResult: (result) => metrics.webhookDeliveries.inc({ result }),
    },
  );
  registerBacklog(metrics, db);
  let timer: Repeating | undefined;
  return {
    service,
    sender,
    start() {
      timer ??= every(config.WEBHOOK_TICK_MS, async () => {
        try {
          for (let round = 0; round < MAX_ROUNDS; round++) {
            if ((await sender.tick()) === 0) break;
          }
        } catch (error) {
          logger.error({ err: error }, 'webhook sender tick failed');
        }
      });
    },
    stop: async () => timer?.stop(),
  };
}

/** The backlog as the database holds it, read when /metrics is: the same on every instance. */
function registerBacklog(metrics: Metrics, db: Database): void {
  const read = () => webhookBacklog(db);
  new Gauge({
    name: 'gateway_webhook_retry_backlog',
    help: 'Webhook deliveries pending after at least one failed attempt.',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).retrying);
    },
  });
  new Gauge({
    name: 'gateway_webhook_oldest_pending_seconds',
    help: 'How long the oldest pending webhook delivery has waited; 0 when none is pending.',
    registers: [metrics.registry],
    async collect() {
      const { oldestPendingAt } = await read();
      this.set(oldestPendingAt ? Math.max(0, (Date.now() - oldestPendingAt.getTime()) / 1000) : 0);
    },
  });
}
