/**
 * The fan-out benchmark's baseline: a raw `ws` server doing the least a server must do to push a
 * verified callback to a task's subscribers. A client sends `{"type":"subscribe","id":<task>}`
 * (acknowledged with `subscribed`) or `{"type":"complete","id":<task>}`; `POST /callback?task=<task>`
 * with a kie.ai callback body is read and its HMAC checked as the gateway does, then the graphql-ws
 * `next` message the gateway would send goes to each subscriber of the task, and on a final state
 * `complete`, ending their subscriptions. Nothing is stored. Needs KIE_WEBHOOK_HMAC_KEY and PORT.
 */
import { createServer } from 'node:http';
import { parseCallback, verifyWebhookSignature } from '@charanim/provider';
import { type WebSocket, WebSocketServer } from 'ws';
import { nextMessage } from '../support/fanout-wire.ts';
import { readBody, reply } from './http.ts';

const key = process.env.KIE_WEBHOOK_HMAC_KEY;
if (!key) throw new Error('KIE_WEBHOOK_HMAC_KEY is required');

/** Each task's subscribers, and each subscriber's tasks. */
const followers = new Map<string, Set<WebSocket>>();
const following = new Map<WebSocket, Set<string>>();

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/callback') return reply(response, 200, { ok: true });
  const task = url.searchParams.get('task') ?? '';
  let callback: ReturnType<typeof parseCallback>;
  try {
    callback = parseCallback(JSON.parse(await readBody(request)));
  } catch {
    callback = undefined;
  }
  if (!callback) return reply(response, 400, { outcome: 'malformed' });
  const header = (name: string) => request.headers[name] as string | undefined;
  const verdict = verifyWebhookSignature({
    taskId: callback.taskId,
    timestamp: header('x-webhook-timestamp'),
    signature: header('x-webhook-signature'),
    key,
  });
  if (!verdict.ok) return reply(response, 401, { outcome: 'rejected' });
  const state = callback.record.state.toUpperCase();
  const final = state === 'SUCCESS' || state === 'FAIL';
  const message = nextMessage(task, state, final);
  const sockets = followers.get(task) ?? new Set();
  for (const socket of sockets) {
    socket.send(message);
    if (final) {
      socket.send(JSON.stringify({ id: task, type: 'complete' }));
      following.get(socket)?.delete(task);
    }
  }
  if (final) followers.delete(task);
  reply(response, 200, { outcome: 'applied' });
});

function unfollow(id: string, socket: WebSocket): void {
  const sockets = followers.get(id);
  sockets?.delete(socket);
  if (sockets?.size === 0) followers.delete(id);
  following.get(socket)?.delete(id);
}

new WebSocketServer({ server }).on('connection', (socket) => {
  following.set(socket, new Set());
  socket.on('message', (data) => {
    const { type, id } = JSON.parse(String(data)) as { type: string; id: string };
    if (type === 'subscribe') {
      followers.set(id, (followers.get(id) ?? new Set()).add(socket));
      following.get(socket)?.add(id);
      socket.send(JSON.stringify({ type: 'subscribed', id }));
    } else if (type === 'complete') {
      unfollow(id, socket);
    }
  });
  socket.on('close', () => {
    for (const id of following.get(socket) ?? []) unfollow(id, socket);
    following.delete(socket);
  });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
