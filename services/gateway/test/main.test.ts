import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../../test/src/support/processes.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const keysCli = fileURLToPath(new URL('../src/keys-cli.ts', import.meta.url));
const seedCli = fileURLToPath(new URL('../src/seed-cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'gateway-main-'));
const sharedDir = mkdtempSync(join(tmpdir(), 'gateway-shared-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(sharedDir, { recursive: true, force: true });
});

/** The gateway as `npm start` runs it, with only the given environment. */
function startMain(
  env: Record<string, string>,
  script = main,
  args: string[] = [],
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

/** `deadlineMs`: a cold start (tsx, PGlite, migrations) took over 20 s on a loaded CI machine. */
async function waitForHealth(url: string, deadlineMs = 45_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > deadlineMs)
      throw new Error(`${url} not healthy after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the gateway process', () => {
  it('starts on embedded defaults, says so, and stops on SIGTERM closing subscriptions with 1001', async () => {
    // A port the system gave out: a random one may be another test's connection's.
    const port = await freePort();
    const gateway = startMain({ PORT: String(port), DATA_DIR: dataDir });
    try {
      await waitForHealth(`http://127.0.0.1:${port}/health`);
      expect(gateway.output()).toContain('embedded PGlite');
      expect(gateway.output()).toContain('built-in kie.ai emulator');

      const created = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation { createCharacter(input: { videoUrl: "https://example.com/a.mp4" }) { ... on CreateCharacterSuccess { task { id } } } }',
        }),
      });
      const { data } = (await created.json()) as any;
      const closed = new Promise<number>((resolve) => {
        const client = createClient({
          url: `ws://127.0.0.1:${port}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          on: { closed: (event) => resolve((event as { code: number }).code) },
        });
        client.subscribe(
          {
            query: `subscription { taskUpdated(id: "${data.createCharacter.task.id}") { state } }`,
          },
          { next: () => gateway.child.kill('SIGTERM'), error: () => {}, complete: () => {} },
        );
      });
      expect(await closed).toBe(1001);
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM completes an SSE subscription at once, and exits well before its deadline', async () => {
    const ssePort = await freePort();
    const gateway = startMain({ PORT: String(ssePort), DATA_DIR: dataDir });
    try {
      await waitForHealth(`http://127.0.0.1:${ssePort}/health`);
      const url = `http://127.0.0.1:${ssePort}/graphql`;
      const created = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation { createCharacter(input: { videoUrl: "https://example.com/b.mp4" }) { ... on CreateCharacterSuccess { task { id } } } }',
        }),
      });
      const { data } = (await created.json()) as any;
      // As GraphiQL and `curl -N -H 'Accept: text/event-stream'` follow it; the built-in emulator
      // takes 10 s to finish the task, as long as the shutdown deadline.
      const query = `subscription { taskUpdated(id: "${data.createCharacter.task.id}") { state } }`;
      const response = await fetch(`${url}?query=${encodeURIComponent(query)}`, {
        headers: { accept: 'text/event-stream' },
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let stream = '';
      while (!stream.includes('event: next')) {
        stream += decoder.decode((await reader.read()).value, { stream: true });
      }

      const signalled = performance.now();
      gateway.child.kill('SIGTERM');
      // A stream cut off instead of ended rejects here ("terminated"), as curl exits 18.
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        stream += decoder.decode(part.value, { stream: true });
      }
      expect(stream.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
      expect(await gateway.exited).toBe(0);
      // The deadline is 10 s: a stream held until it would exit after it.
      expect(performance.now() - signalled).toBeLessThan(5_000);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('refuses to start on a bad setting and names it', async () => {
    const gateway = startMain({ PORT: 'eighty', PUBLIC_URL: 'not a url' });
    expect(await gateway.exited).toBe(78);
    expect(gateway.output()).toMatch(/PORT/);
    expect(gateway.output()).toMatch(/PUBLIC_URL must be an absolute http\(s\) URL/);
  });

  it('refuses to start on settings that disagree, and names them', async () => {
    const gateway = startMain({
      POLL_LEASE_MS: '1000',
      KIE_API_BASE_URL: 'http://127.0.0.1:4010',
      DATA_DIR: dataDir,
    });
    expect(await gateway.exited).toBe(78);
    expect(gateway.output()).toContain(
      'POLL_LEASE_MS: POLL_LEASE_MS (1000) must be at least twice KIE_TIMEOUT_MS (15000)',
    );
    expect(gateway.output()).toContain('KIE_API_BASE_URL: set without KIE_API_KEY');
  });

  it('keeps its PGlite directory to itself: keys, seed and a second gateway are refused while it runs', {
    timeout: 120_000,
  }, async () => {
    const env = { DATA_DIR: sharedDir };
    const [port, refusedPort, restartPort] = [await freePort(), await freePort(), await freePort()];
    const gateway = startMain({ ...env, PORT: String(port) });
    try {
      await waitForHealth(`http://127.0.0.1:${port}/health`, 60_000);
      const refused = await Promise.all([
        runToEnd(startMain(env, keysCli, ['create', '--owner', 'acme'])),
        runToEnd(startMain(env, seedCli, ['--characters', '1'])),
        runToEnd(startMain({ ...env, PORT: String(refusedPort) })),
      ]);
      for (const run of refused) {
        expect(run.code, run.output).toBe(78);
        const lines = run.output.split('\n').filter(Boolean);
        expect(lines, run.output).toHaveLength(1);
        expect(lines[0]).toContain(`the PGlite data directory ${sharedDir} is in use`);
        expect(lines[0]).toContain(`another process has it open (pid ${gateway.child.pid} on `);
      }
      expect(refused[0]?.output).not.toMatch(/cag_/);
      expect(refused[0]?.output).toContain('go through it: add --gateway http://HOST:PORT');

      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }

    const created = await runToEnd(startMain(env, keysCli, ['create', '--owner', 'acme']));
    expect(created.code, created.output).toBe(0);
    // The key outlives a restart: the gateway now finds it and requires keys.
    const restarted = startMain({ ...env, PORT: String(restartPort) });
    try {
      await waitForHealth(`http://127.0.0.1:${restartPort}/health`, 60_000);
      expect(restarted.output()).toContain('"fromDatabase":1');
    } finally {
      restarted.child.kill('SIGKILL');
      await restarted.exited;
    }
    // A gateway SIGKILLed leaves its lock behind, which the next opener takes over at once.
    const listed = await runToEnd(startMain(env, keysCli, ['list']));
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain('acme');
  });
});

/** A run's exit code and all it printed: `close` comes once its output is read to the end. */
async function runToEnd(
  run: ReturnType<typeof startMain>,
): Promise<{ code: number | null; output: string }> {
  await new Promise((resolve) => run.child.once('close', resolve));
  return { code: await run.exited, output: run.output() };
}
