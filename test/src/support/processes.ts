import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { EmulatorCall, EmulatorTaskListing } from '@charanim/provider/emulator';
import postgres from 'postgres';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

/** A fresh database on the PostgreSQL server, dropped by the returned function. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gateway_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
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

/** Every task an emulator process accepted, as `GET /emulator/tasks` lists them. */
export async function emulatorTasks(url: string): Promise<EmulatorTaskListing[]> {
  return ((await getJson(`${url}/emulator/tasks`)) as { tasks: EmulatorTaskListing[] }).tasks;
}

/** Every call an emulator process received, as `GET /emulator/calls` lists them. */
export async function emulatorCalls(url: string): Promise<EmulatorCall[]> {
  return ((await getJson(`${url}/emulator/calls`)) as { calls: EmulatorCall[] }).calls;
}

async function getJson(url: string): Promise<unknown> {
  return (await fetch(url)).json();
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
  // A cold start on an empty PGlite directory (initdb, migrations) took over 30 s on a loaded machine.
  await waitFor(`${url}/health`, 60_000);
  return { child, url, stop: stopper(child) };
}

/** Resident memory of a process, now and at its peak, from /proc (Linux). */
export function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rssBytes: field('VmRSS'), peakRssBytes: field('VmHWM') };
}

/** Resets the peak (VmHWM) to the current resident size, so that a phase's peak is its own. */
export function resetPeak(pid: number): void {
  // Writing 5 to clear_refs resets the peak resident set size (Linux 4.0+).
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not permitted: the peak then counts from the start
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
