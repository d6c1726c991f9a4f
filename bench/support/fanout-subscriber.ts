/**
 * A process of subscribers for bench/fanout.ts, driven over IPC (fanout-subscribers.ts):
 * graphql-ws clients of the gateway, or plain WebSockets of the baseline (baselines/ws-push.ts).
 * Each connection follows one task at a time, and a change is timed as soon as it is read.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { Answer, Arrival, Request } from './fanout-subscribers.ts';
import { FOLLOW, now, taskGlobalId } from './fanout-wire.ts';
import { connect } from './subscribers.ts';

type Arrived = (at: number, payload: unknown) => void;

interface Connection {
  /** Resolves once the server holds the subscription, with the function that ends it. */
  follow(task: string, arrived: Arrived): Promise<() => void>;
  close(): Promise<void>;
}

async function gatewayConnection(url: string): Promise<Connection> {
  const client = await connect(url);
  return {
    follow: (task, arrived) =>
      new Promise((resolve, reject) => {
        let first = true;
        const end = client.subscribe(
          { query: FOLLOW, variables: { id: taskGlobalId(task) } },
          {
            next: (result) => {
              // The first result is the task as it was when the subscription began.
              if (!first) return arrived(now(), result);
              first = false;
              resolve(end);
            },
            error: (error) => reject(new Error(`subscription failed: ${JSON.stringify(error)}`)),
            complete: () => {},
          },
        );
      }),
    close: async () => {
      await client.dispose();
    },
  };
}

async function baselineConnection(url: string): Promise<Connection> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  await once(socket, 'open');
  const subscribed = new Map<string, () => void>();
  const followers = new Map<string, Arrived>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'next') followers.get(message.id)?.(now(), message.payload);
    else if (message.type === 'subscribed') subscribed.get(message.id)?.();
    else if (message.type === 'complete') followers.delete(message.id);
  });
  const send = (type: string, id: string) => socket.send(JSON.stringify({ type, id }));
  return {
    follow: (task, arrived) =>
      new Promise((resolve) => {
        followers.set(task, arrived);
        subscribed.set(task, () => {
          subscribed.delete(task);
          resolve(() => {
            if (followers.delete(task)) send('complete', task);
          });
        });
        send('subscribe', task);
      }),
    close: async () => {
      socket.close();
      await once(socket, 'close');
    },
  };
}

/** `work(0)` … `work(count - 1)`, at most `limit` at a time: all at once would overflow the server's accept queue. */
async function pooled<T>(
  count: number,
  limit: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

const url = process.env.FANOUT_URL ?? '';
const open = process.env.FANOUT_SIDE === 'gateway' ? gatewayConnection : baselineConnection;
const connections: Connection[] = [];
let ends: (() => void)[] = [];
let arrivals: Arrival[] = [];
let sample: unknown;

async function handle(request: Request): Promise<Omit<Answer, 'seq'>> {
  switch (request.op) {
    case 'open':
      connections.push(...(await pooled(request.count, 200, () => open(url))));
      return {};
    case 'follow': {
      const { tasks } = request;
      const arrived = (task: string) => (at: number, payload: unknown) => {
        arrivals.push({ task, at });
        sample ??= payload;
      };
      ends = await pooled(tasks.length, 500, (i) =>
        (connections[i] as Connection).follow(tasks[i] as string, arrived(tasks[i] as string)),
      );
      return {};
    }
    case 'collect': {
      const deadline = Date.now() + request.timeoutMs;
      while (arrivals.length < request.expected && Date.now() < deadline) await sleep(20);
      const answer = { arrivals, sample };
      arrivals = [];
      sample = undefined;
      return answer;
    }
    case 'unfollow':
      for (const end of ends) end();
      ends = [];
      return {};
    case 'disconnect':
      await Promise.all(connections.splice(0).map((connection) => connection.close()));
      return {};
  }
}

process.on('message', (request: Request & { seq: number }) => {
  handle(request).then(
    (answer) => process.send?.({ ...answer, seq: request.seq }),
    (error) => process.send?.({ seq: request.seq, error: String(error?.stack ?? error) }),
  );
});
// Ends with the benchmark, however that ends.
process.on('disconnect', () => process.exit());
