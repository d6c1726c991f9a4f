import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A delivery as an app received it. */
export interface Received {
  id: string;
  /** The body, parsed. */
  body: { type: string; data: { task: { id: string; state: string }; result: unknown } };
  /** Whether each secret given to the receiver verifies it (the library's own check). */
  verifiedWith: boolean[];
  /**
   * What the receiver answered: a status, `drop` (the connection cut without an answer) or `hold`
   * (no answer until the sender gives up).
   */
  answer: number | 'drop' | 'hold';
}

/** What the receiver answers its `n`th request (from 0): a status, cut the connection, or hold it. */
export type Answering = (n: number) => number | 'drop' | 'hold';

export interface WebhookReceiver {
  url: string;
  /** Every request, in the order they arrived. */
  received: Received[];
  /** The deliveries answered 2xx, in the order they arrived. */
  accepted(): Received[];
  /** Secrets to verify with (the endpoint's, then a rotated one). */
  secrets: string[];
  answering: Answering;
  /** Stops listening; `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An app's webhook route on loopback that verifies with `standardwebhooks`, as an app would. */
export async function startWebhookReceiver(
  answering: Answering = () => 200,
): Promise<WebhookReceiver> {
  let server: Server | undefined;
  let port = 0;
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    accepted: () =>
      receiver.received.filter((one) => typeof one.answer === 'number' && one.answer < 300),
    secrets: [],
    answering,
    async start() {
      server = createServer(async (req, res) => {
        const payload = await bodyOf(req);
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        const verifiedWith = receiver.secrets.map((secret) => {
          try {
            new Webhook(secret).verify(payload, headers);
            return true;
          } catch {
            return false;
          }
        });
        const answer = receiver.answering(receiver.received.length);
        receiver.received.push({
          id: headers['webhook-id'],
          body: JSON.parse(payload),
          verifiedWith,
          answer,
        });
        if (answer === 'drop') req.socket.destroy();
        else if (answer !== 'hold')
          res.writeHead(answer, { 'content-type': 'text/plain' }).end(`answered ${answer}`);
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${port}/hooks`;
    },
    async stop() {
      const closing = server;
      if (!closing) return;
      server = undefined;
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    },
  };
  await receiver.start();
  return receiver;
}
