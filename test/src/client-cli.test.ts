import { fileURLToPath } from 'node:url';
import { createClient, GatewayError, Task, TaskUpdated } from '@charanim/client';
import { characters, tasks } from '@charanim/db';
import { freePort, type ScriptEnd } from '@charanim/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

/** The typed client and `npm run cli` against a gateway and its emulator. */

const CLI_KEY = 'cli-test-key-3f9a1c7e5b2d4086';
/** The order a task moves in; a fast task may skip a step, never go back. */
const ORDER = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'];

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `cli:${CLI_KEY}` },
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
      expect.stringMatching(new RegExp(`^${characterId}  A brass robot waving hello  \\S+$`)),
    ]);
    expect((await cli('search', 'dragon')).stdout).toBe('no character matches\n');
  });

  it('shows a task, and follows a finished one to its character at once', async () => {
    const shown = await cli('task', taskId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`task ${taskId}\n  state      SUCCESS\n`);
    expect(shown.stdout).toContain(`  character  ${characterId}\n`);

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
    expect(run.stderr).toMatch(/^create needs exactly one of --video FILE and --url URL\n\nUsage:/);
  });

  it('exits 2 with the usage on stderr when given no command at all', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^no command given: use create, search, task or usage\n\nUsage:/);
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
