import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The key a gateway process and an emulator process share. */
export const PROCESS_API_KEY = 'process-test-key';

export interface Spawned {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function spawnTsx(
  script: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', `${root}/${script}`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function waitFor(url: string, deadlineMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() - started > deadlineMs) throw new Error(`${url} did not answer`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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

/** Any script of the repository in its own process, once `readyPath` answers on its port. */
export async function startScriptProcess(
  script: string,
  env: Record<string, string>,
  readyPath = '/',
): Promise<Spawned> {
  const port = await freePort();
  const child = spawnTsx(script, { PORT: String(port), ...env });
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}${readyPath}`);
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
export async function startGatewayProcess(
  env: Record<string, string>,
  port?: number,
  nodeFlags: string[] = [],
): Promise<Spawned> {
  port ??= await freePort();
  const child = spawnTsx(
    'services/gateway/src/main.ts',
    { PORT: String(port), KIE_API_KEY: PROCESS_API_KEY, LOG_LEVEL: 'warn', ...env },
    nodeFlags,
  );
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`);
  return { child, url, stop: stopper(child) };
}
