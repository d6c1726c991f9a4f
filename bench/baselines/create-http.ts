/**
 * The create benchmark's baseline: the least a hand-written server must do for a create with a
 * URL. Parse, validate, insert, ask kie.ai (the same emulator) for a task, record its id, answer.
 * Env: PORT, DATABASE_URL (a database of its own), KIE_API_BASE_URL, KIE_API_KEY.
 */
import { createServer } from 'node:http';
import postgres from 'postgres';
import { z } from 'zod';
import { readBody, reply } from './http.ts';

const sql = postgres(process.env.DATABASE_URL as string, { max: 10, onnotice: () => {} });
await sql`create table if not exists tasks (
  id uuid primary key default gen_random_uuid(),
  input jsonb not null,
  state text not null,
  provider_task_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
)`;

const input = z.object({
  videoUrl: z.url({ protocol: /^https?$/ }).max(2048),
  prompt: z.string().max(5000).optional(),
});

createServer(async (request, response) => {
  if (request.method !== 'POST') return reply(response, 200, { ok: true });
  const body = JSON.parse(await readBody(request));
  const parsed = input.safeParse(body.variables?.input);
  if (!parsed.success) {
    return reply(response, 200, {
      data: { createCharacter: { __typename: 'ValidationError', message: parsed.error.message } },
    });
  }
  const [task] =
    await sql`insert into tasks (input, state) values (${sql.json(parsed.data)}, 'PENDING') returning id`;
  const answer = await fetch(`${process.env.KIE_API_BASE_URL}/api/v1/jobs/createTask`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${process.env.KIE_API_KEY}`,
      'content-type': 'application/json',
      // kie.ai's CDN, and the emulator with it, refuses fetch's default User-Agent.
      'user-agent': 'charanim-bench-baseline',
    },
    body: JSON.stringify({
      model: 'sora-2-characters',
      input: {
        character_file_url: [parsed.data.videoUrl],
        ...(parsed.data.prompt !== undefined && { character_prompt: parsed.data.prompt }),
      },
    }),
  });
  const created = (await answer.json()) as { data?: { taskId?: string } };
  await sql`update tasks set provider_task_id = ${created.data?.taskId ?? null}, state = 'WAITING', updated_at = now() where id = ${task?.id}`;
  reply(response, 200, {
    data: {
      createCharacter: {
        __typename: 'CreateCharacterSuccess',
        task: { id: task?.id, state: 'WAITING' },
      },
    },
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
