import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';
import { spawnScript } from './scripts.ts';

/** The key a gateway process and an emulator process share. */
export const PROCESS_API_KEY = 'process-test-key';

export interface Spawned {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Resolves once `url` answers, with `status` when one is given. The deadline is long: a cold
 * start of the gateway (tsx, PGlite, migrations) took over 20 s on a loaded CI machine.
 */
export async function waitForAnswer(
  url: string,
  { status, deadlineMs = 60_000 }: { status?: number; deadlineMs?: number } = {},
): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(url);
      if (status === undefined || response.status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > deadlineMs) {
      throw new Error(`${url} did not answer${status ? ` ${status}` : ''} within ${deadlineMs} ms`);
    }
    await sleep(50);
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/**
 * Any script of the repository in its own process, on `port` (by default one that is free), once
 * `readyPath` answers there. Its stderr goes to ours, so that a failure shows where it happens.
 */
export async function startScriptProcess(
  script: string,
  env: Record<string, string>,
  readyPath = '/',
  options: { port?: number; nodeFlags?: string[] } = {},
): Promise<Spawned> {
  const port = options.port ?? (await freePort());
  const child = spawnScript(
    script,
    { env: { PORT: String(port), ...env }, nodeFlags: options.nodeFlags },
    ['ignore', 'pipe', 'inherit'],
  );
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitForAnswer(`${url}${readyPath}`);
  return { child, url, stop: stopper(child) };
}

/** The kie.ai emulator in its own process. */
export function startEmulatorProcess(env: Record<string, string> = {}): Promise<Spawned> {
  return startScriptProcess(
    'packages/provider/src/emulator/main.ts',
    { KIE_API_KEY: PROCESS_API_KEY, EMULATOR_CREDITS: '100000000', ...env },
    '/api/v1/chat/credit',
  );
}

/**
 * The gateway in its own process, as `npm start` runs it, on the given database and emulator;
 * `nodeFlags` go to node before the script (such as `--cpu-prof`, to profile a benchmark).
 */
export function startGatewayProcess(
  env: Record<string, string>,
  port?: number,
  nodeFlags: string[] = [],
): Promise<Spawned> {
  return startScriptProcess(
    'services/gateway/src/main.ts',
    { KIE_API_KEY: PROCESS_API_KEY, LOG_LEVEL: 'warn', ...env },
    '/health',
    { port, nodeFlags },
  );
}
