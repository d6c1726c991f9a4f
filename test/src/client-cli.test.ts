import { fileURLToPath } from 'node:url';
import { createClient, GatewayError, Task, TaskUpdated } from '@charanim/client';
import { characters, tasks, videos } from '@charanim/db';
import { freePort, type ScriptEnd } from '@charanim/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

/** The typed client and `npm run cli` against a gateway and its emulator. */

const CLI_KEY = 'cli-test-key-3f9a1c7e5b2d4086';
/** An owner of its own for Gemini Omni, so that its lists hold exactly what its tests made. */
const OMNI_KEY = 'cli-omni-key-8e2b6d0f4a1c3957';
/** The order a task moves in; a fast task may skip a step, never go back. */
const ORDER = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'];

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `cli:${CLI_KEY}, omni:${OMNI_KEY}` },
    // WAITING lasts long enough for the CLI to subscribe after its create even on a busy machine,
    // where the two integration projects run side by side: the first line must be WAITING.
    emulator: { timing: { waitingMs: 1000, queuingMs: 100, generatingMs: 100 } },
  });
});
afterAll(async () => {
  await t?.close();
});

const fixturePath = (name: string) =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const cli = (...args: string[]) =>
  runCli([...args, '--endpoint', t.graphqlUrl], { CHARANIM_API_KEY: CLI_KEY });

const linesOf = (output: string) => output.split('\n').filter(Boolean);

/** The states of the plain progress lines, such as `QUEUING    [2/4]`. */
function progressStates(run: ScriptEnd): string[] {
  return linesOf(run.stdout).flatMap((line) => /^([A-Z]+)\s+\[\d\/4\]$/.exec(line)?.[1] ?? []);
}

function expectForward(states: string[]) {
  const steps = states.map((state) => ORDER.indexOf(state));
  expect(steps.every((step, i) => step >= 0 && (i === 0 || step > (steps[i - 1] as number)))).toBe(
    true,
  );
}

describe('npm run cli', () => {
  let taskId: string;
  let characterId: string;

  it('creates a character from a local video and follows it to SUCCESS with --watch', async () => {
    const run = await cli(
      'create',
      '--video',
      fixturePath('clip-2s.mp4'),
      '--prompt',
      'A brass robot waving hello',
      '--watch',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Not a terminal: plain lines, nothing redrawn in place.
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).not.toContain('\u001b');
    const lines = linesOf(run.stdout);
    const created = /^task (\S+) created \(WAITING\)$/.exec(lines[0] ?? '');
    expect(created).not.toBeNull();
    taskId = created?.[1] as string;

    const states = progressStates(run);
    expect(states[0]).toBe('WAITING');
    expect(states.at(-1)).toBe('SUCCESS');
    expectForward(states);

    const last = /^character (char_\w+) \((\S+)\)$/.exec(lines.at(-1) ?? '');
    expect(last).not.toBeNull();
    characterId = last?.[1] as string;
    const stored = await t.gateway.database.db.select().from(characters);
    expect(stored.map((row) => row.characterId)).toContain(characterId);
    // The video went up as a file, not as a URL.
    expect(t.emulator.calls.some((call) => call.route === 'upload')).toBe(true);
  });

  it('finds the character by a word of its prompt', async () => {
    const run = await cli('search', 'robot');
    expect(run.code).toBe(0);
    expect(linesOf(run.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\S+\t${characterId}\tsora-2\t\tA brass robot waving hello$`),
      ),
    ]);
    // Piped, stdout holds the items only: the note that there are none goes to stderr.
    expect(await cli('search', 'dragon')).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'no character matches\n',
    });
  });

  it('shows a task, and follows a finished one to its character at once', async () => {
    const shown = await cli('task', taskId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`task ${taskId}\n  state      SUCCESS\n`);
    expect(shown.stdout).toContain(`  character  ${characterId} (`);

    const followed = await cli('task', taskId, '--watch');
    expect(followed.code).toBe(0);
    expect(progressStates(followed)).toEqual(['SUCCESS']);
    expect(linesOf(followed.stdout).at(-1)).toMatch(new RegExp(`^character ${characterId} `));
  });

  it('exits 1 with the provider message when the task fails', async () => {
    t.emulator.setNextOutcome({
      state: 'fail',
      failCode: '400',
      failMsg: 'The video shows a real person',
    });
    const run = await cli('create', '--url', 'https://videos.example.com/person.mp4', '--watch');
    expect(run.code).toBe(1);
    expectForward(progressStates(run));
    // FAIL is no step: it says why, with no fraction of progress beside it.
    expect(linesOf(run.stdout).at(-1)).toBe('FAIL       400: The video shows a real person');
    expect(run.stderr).toBe('task failed: The video shows a real person (400)\n');

    const failedId = /^task (\S+) created/.exec(run.stdout)?.[1] as string;
    const followed = await cli('task', failedId, '--watch');
    expect(followed.code).toBe(1);
    expect(followed.stdout).toBe('FAIL       400: The video shows a real person\n');
    expect(followed.stderr).toBe('task failed: The video shows a real person (400)\n');
  });

  it('exits 1 with the message of a typed validation error', async () => {
    const run = await cli('create', '--video', fixturePath('too-long-6s.mp4'));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'ValidationError on video: duration 6.0 s; must be between 1 and 4 s\n',
    );
  });

  it('exits 1 with the gateway error for a wrong key and an unknown task', async () => {
    const refused = await runCli(['search', 'robot', '--endpoint', t.graphqlUrl], {
      CHARANIM_API_KEY: `${CLI_KEY}-wrong`,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error UNAUTHENTICATED: a valid API key is required: send Authorization: Bearer <key>\n',
    );

    const unknown = await cli(
      'task',
      'VGFzazowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=',
      '--watch',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error NOT_FOUND: No task has the id /);
  });

  it('exits 2 with the usage for a command line it cannot run', async () => {
    const run = await cli('create', '--prompt', 'no video');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^create needs a source: --portrait FILE\|URL \(Gemini Omni\)/);
    expect(run.stderr).toContain('\n\nUsage:');
  });

  it('exits 2 with the usage on stderr when given no command at all', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^no command given: use create, video, task, tasks, characters, videos, search or usage\n\nUsage:/,
    );
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:/);
  });

  it('exits 2 with one clean line for an unknown option, and knows --version', async () => {
    const run = await runCli(['search', 'fox', '--colour']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^unknown option --colour\n\nUsage:/);
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '@charanim/client 0.1.0\n', stderr: '' });
  });

  it.each([
    [
      'a missing file',
      '/tmp/charanim-no-such-clip.mp4',
      '--video /tmp/charanim-no-such-clip.mp4: the file does not exist',
    ],
    ['a directory', fixturePath(''), `--video ${fixturePath('')} is a directory, not a file`],
  ])('refuses %s as --video before any request, naming it', async (_name, path, message) => {
    // Sends and uploads only: the poller may read earlier tasks meanwhile.
    const sends = () => t.emulator.calls.filter((call) => call.route !== 'recordInfo').length;
    const calls = sends();
    const stored = (await t.gateway.database.db.select().from(tasks)).length;
    const run = await cli('create', '--video', path, '--prompt', 'A fox');
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `${message}\n` });
    expect(sends()).toBe(calls);
    expect(await t.gateway.database.db.select().from(tasks)).toHaveLength(stored);
  });

  it('reports an unreachable gateway the same way from every command', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}/graphql`;
    const runs = await Promise.all(
      [
        ['search', 'robot'],
        ['task', 'VGFzazox'],
        ['task', 'VGFzazox', '--watch'],
        ['create', '--url', 'https://videos.example.com/fox.mp4', '--watch'],
        ['create', '--video', fixturePath('clip-2s.mp4')],
      ].map((args) => runCli([...args, '--endpoint', endpoint], { CHARANIM_API_KEY: CLI_KEY })),
    );
    for (const run of runs) {
      expect(run).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `cannot reach ${endpoint}: ECONNREFUSED\n`,
      });
    }
  });
});

describe('npm run cli with Gemini Omni', () => {
  const omni = (...args: string[]) =>
    runCli([...args, '--endpoint', t.graphqlUrl], { CHARANIM_API_KEY: OMNI_KEY });
  const fullBodyUrl = 'https://images.example.com/foxy-full-body.png';
  /** The characters made here, by their global ids. */
  const made: { id: string; characterId: string }[] = [];

  /** The `character omni_… (id)` line a create ends with. */
  function characterOf(run: ScriptEnd) {
    const last = /^character (omni_[0-9a-f]+) \((\S+)\)$/.exec(linesOf(run.stdout).at(-1) ?? '');
    expect(last, run.stdout).not.toBeNull();
    return { characterId: last?.[1] as string, id: last?.[2] as string };
  }

  it('makes a character from a local portrait, uploaded, and a full-body URL, at once', async () => {
    const since = t.emulator.calls.length;
    const run = await omni(
      'create',
      '--portrait',
      fixturePath('portrait.jpg'),
      '--full-body',
      fullBodyUrl,
      '--description',
      'A friendly red fox in a knitted scarf',
      '--name',
      'Foxy',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // The model answers in the same request: no task to follow.
    expect(linesOf(run.stdout)[0]).toMatch(/^task \S+ created \(SUCCESS\)$/);
    expect(run.stdout).not.toContain('follow it');
    made.push(characterOf(run));

    const calls = t.emulator.calls.slice(since);
    const upload = calls.filter((call) => call.route === 'upload');
    expect(upload).toHaveLength(1);
    const [sent] = calls.filter((call) => call.route === 'immediate');
    expect(sent?.body).toEqual({
      descriptions: 'A friendly red fox in a knitted scarf',
      image_urls: [
        expect.stringMatching(/\/files\/characters\/images\/[0-9a-f]{64}\.jpg$/),
        fullBodyUrl,
      ],
      character_name: 'Foxy',
    });
    const [stored] = await t.gateway.database.db
      .select()
      .from(characters)
      .where(eq(characters.characterId, made[0]?.characterId as string));
    expect(stored).toMatchObject({ family: 'gemini-omni', name: 'Foxy' });
  });

  it('makes one from a portrait URL with --model, and follows it with --watch', async () => {
    const since = t.emulator.calls.length;
    const run = await omni(
      'create',
      '--model',
      'gemini-omni-character',
      '--portrait',
      'https://images.example.com/owl.jpg',
      '--description',
      'A wise old owl',
      '--watch',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(progressStates(run)).toEqual(['SUCCESS']);
    made.push(characterOf(run));
    const calls = t.emulator.calls.slice(since);
    expect(calls.filter((call) => call.route === 'upload')).toEqual([]);
    expect(calls.find((call) => call.route === 'immediate')?.body).toEqual({
      descriptions: 'A wise old owl',
      image_urls: ['https://images.example.com/owl.jpg'],
    });
  });

  it('makes a video of both, follows it with --watch and prints its URL and expiry', async () => {
    const run = await omni(
      'video',
      '--prompt',
      'Foxy waves at the owl in a snowy forest',
      '--character',
      made[0]?.id as string,
      '--character',
      made[1]?.id as string,
      '--duration',
      '6',
      '--aspect-ratio',
      '9:16',
      '--watch',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = linesOf(run.stdout);
    expect(lines[0]).toMatch(/^task \S+ created \(WAITING\)$/);
    const states = progressStates(run);
    expect(states.at(-1)).toBe('SUCCESS');
    expectForward(states);
    const [stored] = await t.gateway.database.db.select().from(videos);
    expect(lines.slice(-2)).toEqual([
      `video ${stored?.url}`,
      `expires ${stored?.expiresAt?.toISOString()}`,
    ]);
    // The emulator serves a clip at the URL: it plays.
    expect((await fetch(stored?.url as string)).headers.get('content-type')).toBe('video/mp4');
  });

  it('says what the gateway refused in a video, by its field', async () => {
    const run = await omni('video', '--prompt', 'A fox', '--duration', '5');
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'ValidationError on durationSeconds: durationSeconds is 5; must be 4, 6, 8 or 10\n',
    });
  });

  it('lists the tasks, characters and videos, a page at a time, one plain line each when piped', async () => {
    const all = await omni('tasks');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    const rows = linesOf(all.stdout).map((line) => line.split('\t'));
    // Newest first: the video, then the two characters.
    expect(rows.map((row) => [row[1], row[2]])).toEqual([
      ['SUCCESS', 'google/gemini-omni-flash-1-1'],
      ['SUCCESS', 'gemini-omni-character'],
      ['SUCCESS', 'gemini-omni-character'],
    ]);
    expect(rows[0]?.[4]).toMatch(/^video http:\/\/\S+\.mp4$/);
    expect(rows[2]?.[4]).toBe(`character ${made[0]?.characterId}`);

    const first = await omni('tasks', '--first', '2');
    expect(linesOf(first.stdout)).toEqual(linesOf(all.stdout).slice(0, 2));
    const after = /^more: --after (\S+)\n$/.exec(first.stderr)?.[1] as string;
    expect(after).toBeTruthy();
    const rest = await omni('tasks', '--first', '2', '--after', after);
    expect(rest).toMatchObject({ code: 0, stderr: '' });
    expect(linesOf(rest.stdout)).toEqual(linesOf(all.stdout).slice(2));

    expect((await omni('tasks', '--state', 'fail')).stderr).toBe('no task\n');

    const listed = await omni('characters');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(linesOf(listed.stdout)).toEqual([
      `${made[1]?.id}\t${made[1]?.characterId}\tgemini-omni\t\tA wise old owl`,
      `${made[0]?.id}\t${made[0]?.characterId}\tgemini-omni\tFoxy\tA friendly red fox in a knitted scarf`,
    ]);
    const searched = await omni('characters', 'scarf');
    expect(linesOf(searched.stdout)).toEqual([linesOf(listed.stdout)[1]]);

    const [video] = await t.gateway.database.db.select().from(videos);
    const ofFoxy = await omni('videos', '--character', made[0]?.id as string);
    expect(ofFoxy).toMatchObject({ code: 0, stderr: '' });
    expect(linesOf(ofFoxy.stdout).map((line) => line.split('\t'))).toEqual([
      [
        expect.stringMatching(/^VmlkZW86/),
        'google/gemini-omni-flash-1-1',
        video?.createdAt.toISOString(),
        video?.expiresAt?.toISOString(),
        `Foxy, ${made[1]?.characterId}`,
        video?.url,
      ],
    ]);
    expect((await omni('videos', '--model', 'gemini-omni-video')).stderr).toBe('no video yet\n');
  });

  it('says the URL should end in /graphql when the endpoint is the gateway without it', async () => {
    const root = t.graphqlUrl.replace(/\/graphql$/, '');
    const runs = await Promise.all(
      [['tasks'], ['task', 'VGFzazox', '--watch']].map((args) =>
        runCli([...args, '--endpoint', root], { CHARANIM_API_KEY: OMNI_KEY }),
      ),
    );
    for (const run of runs) {
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).toMatch(
        new RegExp(
          `^${root} is not a GraphQL endpoint \\(it answered HTTP 40[04]\\): the URL should end in /graphql, e\\.g\\. ${t.graphqlUrl}\n$`,
        ),
      );
    }
  });
});

describe('the typed client', () => {
  it('throws GatewayError with the HTTP status and the code of a refused request', async () => {
    const client = createClient({ endpoint: t.graphqlUrl, apiKey: 'not-a-key-at-all' });
    const refused = await client.request(Task, { id: 'VGFzazox' }).catch((error) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await client.dispose();
  });

  it('surfaces a subscription closed for a bad key as UNAUTHENTICATED', async () => {
    const client = createClient({ endpoint: t.graphqlUrl, apiKey: 'not-a-key-at-all' });
    const updates = client.subscribe(TaskUpdated, { id: 'VGFzazox' });
    await expect(updates.next()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await client.dispose();
  });
});
