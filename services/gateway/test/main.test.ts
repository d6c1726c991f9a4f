import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runScript, startScript, waitForAnswer } from '@charanim/test-support';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const keysCli = 'services/gateway/src/keys-cli.ts';
const seedCli = 'tools/src/seed-cli.ts';
const dataDir = mkdtempSync(join(tmpdir(), 'gateway-main-'));
const sharedDir = mkdtempSync(join(tmpdir(), 'gateway-shared-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(sharedDir, { recursive: true, force: true });
});

/** The gateway as `npm start` runs it, with only the given environment. */
function startMain(env: Record<string, string>) {
  return startScript('services/gateway/src/main.ts', { env });
}

describe('the gateway process', () => {
  it('starts on embedded defaults, says so, and stops on SIGTERM closing subscriptions with 1001', async () => {
    // A port the system gave out: a random one may be another test's connection's.
    const port = await freePort();
    const gateway = startMain({ PORT: String(port), DATA_DIR: dataDir });
    try {
      await waitForAnswer(`http://127.0.0.1:${port}/health`, { status: 200 });
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
      expect((await gateway.ended).code).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM completes an SSE subscription at once, and exits well before its deadline', async () => {
    const ssePort = await freePort();
    const gateway = startMain({ PORT: String(ssePort), DATA_DIR: dataDir });
    try {
      await waitForAnswer(`http://127.0.0.1:${ssePort}/health`, { status: 200 });
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
      expect((await gateway.ended).code).toBe(0);
      // The deadline is 10 s: a stream held until it would exit after it.
      expect(performance.now() - signalled).toBeLessThan(5_000);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('refuses to start on a bad setting and names it', async () => {
    const gateway = startMain({ PORT: 'eighty', PUBLIC_URL: 'not a url' });
    expect((await gateway.ended).code).toBe(78);
    expect(gateway.output()).toMatch(/PORT/);
    expect(gateway.output()).toMatch(/PUBLIC_URL must be an absolute http\(s\) URL/);
  });

  it('refuses to start on settings that disagree, and names them', async () => {
    const gateway = startMain({
      POLL_LEASE_MS: '1000',
      KIE_API_BASE_URL: 'http://127.0.0.1:4010',
      DATA_DIR: dataDir,
    });
    expect((await gateway.ended).code).toBe(78);
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
      await waitForAnswer(`http://127.0.0.1:${port}/health`, { status: 200, deadlineMs: 60_000 });
      const refused = await Promise.all([
        runScript(keysCli, { env, args: ['create', '--owner', 'acme'] }),
        runScript(seedCli, { env, args: ['--characters', '1'] }),
        startMain({ ...env, PORT: String(refusedPort) }).ended,
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
      expect((await gateway.ended).code).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }

    const created = await runScript(keysCli, { env, args: ['create', '--owner', 'acme'] });
    expect(created.code, created.output).toBe(0);
    // The key outlives a restart: the gateway now finds it and requires keys.
    const restarted = startMain({ ...env, PORT: String(restartPort) });
    try {
      await waitForAnswer(`http://127.0.0.1:${restartPort}/health`, {
        status: 200,
        deadlineMs: 60_000,
      });
      expect(restarted.output()).toContain('"fromDatabase":1');
    } finally {
      restarted.child.kill('SIGKILL');
      await restarted.ended;
    }
    // A gateway SIGKILLed leaves its lock behind, which the next opener takes over at once.
    const listed = await runScript(keysCli, { env, args: ['list'] });
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain('acme');
  });
});
