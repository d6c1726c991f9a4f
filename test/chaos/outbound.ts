/**
 * The chaos suite's app: a webhook receiver that drops 30 % of its answers (the connection cut,
 * no answer) and is itself restarted during the run. At the end every task that ended must have
 * told it so at least once, each event under one `webhook-id` however often it came.
 */
import type postgres from 'postgres';
import { startWebhookReceiver, type WebhookReceiver } from '../src/support/webhook-receiver.ts';

export const OUTBOUND_ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_TICK_MS: '100',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_LEASE_MS: '2000',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '1000',
};

export interface OutboundReport {
  /** Requests the app got, and those it answered 2xx. */
  received: number;
  accepted: number;
  receiverRestarts: number;
  /** How long after every task ended the last of them reached the app: the suite's added time. */
  waitedMs: number;
  /** Violations: each must be zero. */
  endedTasksNeverTold: number;
  eventsWithTwoWebhookIds: number;
  unverified: number;
}

export interface OutboundApp {
  receiver: WebhookReceiver;
  /** Stops the receiver a moment and starts it again on the same port. */
  restart(downMs: number): Promise<void>;
  /** Waits for every ended task's event (up to `deadlineMs`), and judges what came. */
  check(sql: postgres.Sql, deadlineMs: number, details: string[]): Promise<OutboundReport>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app, with an endpoint for TASK_ENDED registered on the gateway at `base`. */
export async function startOutboundApp(base: string, rand: () => number): Promise<OutboundApp> {
  const receiver = await startWebhookReceiver(() => (rand() < 0.3 ? 'drop' : 200));
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
        ... on CreateWebhookEndpointSuccess { secret } ... on Error { message } } }`,
      variables: { input: { url: receiver.url, events: ['TASK_ENDED'] } },
    }),
  });
  const secret = ((await response.json()) as any).data?.createWebhookEndpoint?.secret;
  if (!secret) throw new Error('the chaos app could not register its webhook endpoint');
  receiver.secrets.push(secret);
  let restarts = 0;
  return {
    receiver,
    async restart(downMs) {
      await receiver.stop();
      await sleep(downMs);
      await receiver.start();
      restarts += 1;
    },
    async check(sql, deadlineMs, details) {
      const ended = await sql<{ id: string }[]>`
        select id from tasks where state in ('SUCCESS', 'FAIL')`;
      const globalIds = ended.map((task) => Buffer.from(`Task:${task.id}`).toString('base64'));
      const told = () => new Set(receiver.accepted().map((one) => one.body.data.task.id));
      const started = Date.now();
      const deadline = started + deadlineMs;
      while (globalIds.some((id) => !told().has(id)) && Date.now() < deadline) await sleep(100);
      const never = globalIds.filter((id) => !told().has(id));
      for (const id of never.slice(0, 5)) details.push(`task ${id} ended; its app was never told`);
      const idsOfEvent = new Map<string, Set<string>>();
      for (const one of receiver.received) {
        const event = `${one.body.type} ${one.body.data.task.id}`;
        idsOfEvent.set(event, (idsOfEvent.get(event) ?? new Set()).add(one.id));
      }
      return {
        received: receiver.received.length,
        accepted: receiver.accepted().length,
        receiverRestarts: restarts,
        waitedMs: Date.now() - started,
        endedTasksNeverTold: never.length,
        eventsWithTwoWebhookIds: [...idsOfEvent.values()].filter((ids) => ids.size > 1).length,
        unverified: receiver.received.filter((one) => one.verifiedWith[0] !== true).length,
      };
    },
  };
}
