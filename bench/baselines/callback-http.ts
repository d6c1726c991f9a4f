/**
 * The callbacks benchmark's baseline: a node:http server that verifies kie.ai's callback signature
 * (HMAC-SHA256 of `taskId.timestamp`, as the gateway checks it) and records the result with one
 * UPDATE. Env: PORT, DATABASE_URL (a database of its own, tasks made by the benchmark),
 * KIE_WEBHOOK_HMAC_KEY.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import postgres from 'postgres';
import { readBody, reply } from './http.ts';

const sql = postgres(process.env.DATABASE_URL as string, { max: 10, onnotice: () => {} });
const key = process.env.KIE_WEBHOOK_HMAC_KEY as string;

createServer(async (request, response) => {
  if (request.method !== 'POST') return reply(response, 200, { ok: true });
  const raw = await readBody(request);
  const { data } = JSON.parse(raw) as {
    data: { taskId: string; state: string; resultJson: string };
  };
  const timestamp = String(request.headers['x-webhook-timestamp'] ?? '');
  const expected = createHmac('sha256', key).update(`${data.taskId}.${timestamp}`).digest();
  const given = Buffer.from(String(request.headers['x-webhook-signature'] ?? ''), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return reply(response, 401, { outcome: 'rejected' });
  const updated =
    await sql`update tasks set state = ${data.state === 'success' ? 'SUCCESS' : 'FAIL'}, result = ${data.resultJson}, updated_at = now() where provider_task_id = ${data.taskId}`;
  // As the gateway answers a callback for a task it does not know.
  if (updated.count === 0) return reply(response, 404, { outcome: 'unknown_task' });
  reply(response, 200, { outcome: 'applied' });
}).listen(Number(process.env.PORT), '127.0.0.1');
